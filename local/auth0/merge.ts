import { isJsonObject, type JsonObject, type JsonValue } from "./validation.js";

// Auth0's PATCH semantics, as the recordings show them and as Terraform and Pulumi rely on:
// a nested object is merged into what is stored (`jwt_configuration: {alg}` keeps the
// lifetime), `null` removes a key at any depth (`client_metadata: {foo: null}`), and every
// other value (arrays included) replaces what was there. This is RFC 7396's JSON merge patch.

/** Applies `patch` to `target` in place; `undefined` values (absent keys) change nothing. */
export function mergePatch(target: JsonObject, patch: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      Reflect.deleteProperty(target, key);
      continue;
    }
    const current = target[key];
    if (isJsonObject(value) && isJsonObject(current)) {
      const merged: JsonObject = { ...current };
      mergePatch(merged, value);
      target[key] = merged;
    } else {
      target[key] = withoutNulls(value as JsonValue);
    }
  }
}

/** A value stored for the first time keeps no `null` members: Auth0 treats them as absent. */
function withoutNulls(value: JsonValue): JsonValue {
  if (!isJsonObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) copy[key] = withoutNulls(member);
  return copy;
}
