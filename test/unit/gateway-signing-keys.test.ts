import { generateKeyPairSync } from "node:crypto";
import { describe, expect, test } from "vitest";
import { parsePolicyDocument, type ValidateJwtPolicy } from "../../local/apim/validate-jwt";
import { CONFIGURATION_LIFETIME_SECONDS, REFRESH_INTERVAL_SECONDS, SigningKeyResolver } from "../../local/apim/validate-jwt/signing-keys";

/** The key cache of the validate-jwt model, against a scripted OpenID configuration on a fake clock. */

const URL_ = "https://tenant.example/.well-known/openid-configuration";
const jwk = (kid: string) => ({
  ...generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" }),
  kid,
  use: "sig",
});

function policy(): ValidateJwtPolicy {
  const xml = `<policies><inbound><validate-jwt header-name="Authorization"><openid-config url="${URL_}"/><audiences><audience>a</audience></audiences></validate-jwt></inbound></policies>`;
  const statement = parsePolicyDocument(xml).inbound[0];
  if (statement?.kind !== "validate-jwt") throw new Error("no validate-jwt");
  return statement.policy;
}

function scripted() {
  const state = { keys: [jwk("k1")], failing: false };
  const fetchImpl: typeof fetch = async (input) => {
    const url = String(input);
    if (state.failing) return new Response("unavailable", { status: 503 });
    if (url === URL_) return Response.json({ issuer: "https://tenant.example/", jwks_uri: "https://tenant.example/jwks" });
    return Response.json({ keys: state.keys });
  };
  return { state, fetchImpl };
}

const kids = (resolved: { keys: { kid: string | undefined }[] }) => resolved.keys.map((key) => key.kid);

describe("the OpenID configuration cache", () => {
  test("lives an hour, then is pulled again", async () => {
    let clock = 1_000;
    const { state, fetchImpl } = scripted();
    const resolver = new SigningKeyResolver(fetchImpl, () => clock);
    expect(kids(await resolver.resolve(policy()))).toEqual(["k1"]);
    state.keys = [jwk("k2")];
    clock += CONFIGURATION_LIFETIME_SECONDS - 1;
    expect(kids(await resolver.resolve(policy()))).toEqual(["k1"]);
    clock += 1;
    expect(kids(await resolver.resolve(policy()))).toEqual(["k2"]);
    expect(resolver.pulls.get(URL_)).toBe(2);
  });

  test("an unknown kid pulls again, but not twice within 5 minutes", async () => {
    let clock = 1_000;
    const { state, fetchImpl } = scripted();
    const resolver = new SigningKeyResolver(fetchImpl, () => clock);
    await resolver.resolve(policy());
    state.keys = [jwk("k1"), jwk("k2")];
    clock += REFRESH_INTERVAL_SECONDS - 1;
    expect(kids(await resolver.refreshForUnknownKid(policy()))).toEqual(["k1"]);
    clock += 1;
    expect(kids(await resolver.refreshForUnknownKid(policy()))).toEqual(["k1", "k2"]);
    expect(kids(await resolver.refreshForUnknownKid(policy()))).toEqual(["k1", "k2"]);
    expect(resolver.pulls.get(URL_)).toBe(2);
  });

  test("a failed retrieval keeps the previous keys and is retried at most once per 5 minutes", async () => {
    let clock = 1_000;
    const { state, fetchImpl } = scripted();
    const resolver = new SigningKeyResolver(fetchImpl, () => clock);
    await resolver.resolve(policy());
    state.failing = true;
    clock += CONFIGURATION_LIFETIME_SECONDS;
    expect(kids(await resolver.resolve(policy()))).toEqual(["k1"]);
    clock += 60;
    expect(kids(await resolver.resolve(policy()))).toEqual(["k1"]);
    expect(resolver.pulls.get(URL_)).toBe(2);
    state.failing = false;
    state.keys = [jwk("k3")];
    clock += REFRESH_INTERVAL_SECONDS;
    expect(kids(await resolver.resolve(policy()))).toEqual(["k3"]);
    expect(resolver.pulls.get(URL_)).toBe(3);
  });

  test("a first retrieval that fails yields no keys, and no second pull within 5 minutes", async () => {
    let clock = 1_000;
    const { state, fetchImpl } = scripted();
    state.failing = true;
    const resolver = new SigningKeyResolver(fetchImpl, () => clock);
    expect(kids(await resolver.resolve(policy()))).toEqual([]);
    clock += 10;
    expect(kids(await resolver.resolve(policy()))).toEqual([]);
    expect(resolver.pulls.get(URL_)).toBe(1);
  });
});
