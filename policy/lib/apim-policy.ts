import { childrenNamed, descendants, parseXml, type XmlElement } from "./xml";

/** One `<validate-jwt>` of an API Management policy, as the rules read it. */
export interface JwtValidation {
  readonly attributes: Readonly<Record<string, string>>;
  readonly audiences: readonly string[];
  readonly issuers: readonly string[];
  readonly openIdConfigUrls: readonly string[];
  /** `<issuer-signing-keys>` and `<decryption-keys>` key texts, as written. */
  readonly keys: readonly string[];
  /** Values each required claim accepts, by claim name. */
  readonly requiredClaims: ReadonlyMap<string, readonly string[]>;
}

/** What a policy's `<inbound>` section does before the request reaches the backend. */
export interface InboundPolicy {
  /** Whether `<base />` runs the enclosing scope's policy (for an operation: the API's). */
  readonly includesBase: boolean;
  /**
   * validate-jwt elements directly in `<inbound>`. One nested in `<choose>` or another
   * conditional runs only when its condition holds, so it does not count as validation.
   */
  readonly validations: readonly JwtValidation[];
}

export type ParsedPolicy =
  | { readonly ok: true; readonly inbound: InboundPolicy; readonly allKeys: readonly string[] }
  | { readonly ok: false; readonly error: string };

export function parseApimPolicy(xml: string): ParsedPolicy {
  const root = parseXml(xml);
  if ("error" in root) return { ok: false, error: root.error };
  if (root.name !== "policies") return { ok: false, error: `the root element is <${root.name}>, not <policies>` };
  const inbound = childrenNamed(root, "inbound");
  const validations = inbound.flatMap((section) => childrenNamed(section, "validate-jwt")).map(toValidation);
  const includesBase = inbound.some((section) => childrenNamed(section, "base").length > 0);
  // Keys anywhere in the document, conditional or not: a key is a secret wherever it is written.
  const allKeys = everyElement(root, "validate-jwt").flatMap((element) => toValidation(element).keys);
  return { ok: true, inbound: { includesBase, validations }, allKeys };
}

function toValidation(element: XmlElement): JwtValidation {
  const requiredClaims = new Map<string, string[]>();
  for (const claim of descendants(element, "required-claims", "claim")) {
    const name = claim.attributes["name"];
    if (name === undefined) continue;
    requiredClaims.set(name, [...(requiredClaims.get(name) ?? []), ...childrenNamed(claim, "value").map((value) => value.text)]);
  }
  return {
    attributes: element.attributes,
    audiences: descendants(element, "audiences", "audience").map((audience) => audience.text),
    issuers: descendants(element, "issuers", "issuer").map((issuer) => issuer.text),
    openIdConfigUrls: childrenNamed(element, "openid-config").map((config) => config.attributes["url"] ?? ""),
    keys: [...descendants(element, "issuer-signing-keys", "key"), ...descendants(element, "decryption-keys", "key")].map((key) => key.text),
    requiredClaims,
  };
}

function everyElement(root: XmlElement, name: string): XmlElement[] {
  const found = root.name === name ? [root] : [];
  return [...found, ...root.children.flatMap((child) => everyElement(child, name))];
}

/** `{{name}}` references to API Management named values. */
const NAMED_VALUE = /\{\{([^{}]+)\}\}/g;

/** A text with each `{{name}}` replaced by the named value's value, where the stack declares it. */
export function resolveNamedValues(text: string, namedValues: ReadonlyMap<string, string>): string {
  return text.replace(NAMED_VALUE, (reference, name: string) => namedValues.get(name.trim()) ?? reference);
}

/** The named value a text refers to when it is nothing but one `{{name}}` reference. */
export function namedValueReference(text: string): string | undefined {
  return /^\{\{([^{}]+)\}\}$/.exec(text.trim())?.[1]?.trim();
}
