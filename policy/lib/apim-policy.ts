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
  /** Each required claim's `match` and `separator` attributes, as written (whitespace kept). */
  readonly claimRules: readonly { readonly name: string; readonly match: string | undefined; readonly separator: string | undefined }[];
}

/** A `<when>` of the inbound `<choose>` on `context.Operation.Id`: what one operation requires. */
export interface OperationBranch {
  readonly operationId: string;
  /** Each nested `<when>` condition that ends the request with a response, and that response's status. */
  readonly refusals: readonly { readonly condition: string; readonly status: number | undefined }[];
  /** validate-jwt elements in the branch (another way to require a claim). */
  readonly validations: readonly JwtValidation[];
}

/** The inbound `<choose>` that decides by operation: the deny-by-default shape. */
export interface OperationSwitch {
  readonly branches: readonly OperationBranch[];
  /** The status `<otherwise>` answers with `return-response`, or undefined when it has none. */
  readonly otherwiseStatus: number | undefined;
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
  /** `<choose>` elements directly in `<inbound>` whose branches test `context.Operation.Id`. */
  readonly operationSwitches: readonly OperationSwitch[];
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
  const operationSwitches = inbound
    .flatMap((section) => childrenNamed(section, "choose"))
    .map(toOperationSwitch)
    .filter((found): found is OperationSwitch => found !== undefined);
  // Keys anywhere in the document, conditional or not: a key is a secret wherever it is written.
  const allKeys = everyElement(root, "validate-jwt").flatMap((element) => toValidation(element).keys);
  return { ok: true, inbound: { includesBase, validations, operationSwitches }, allKeys };
}

const OPERATION_CONDITION = /^@\(\s*context\.Operation\.Id\s*==\s*"([^"\\]*)"\s*\)$/;

function statusOf(returnResponse: XmlElement | undefined): number | undefined {
  const code = returnResponse === undefined ? undefined : childrenNamed(returnResponse, "set-status")[0]?.attributes["code"];
  // Documented: return-response without set-status answers 200.
  if (returnResponse !== undefined && code === undefined) return 200;
  return code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined;
}

function toOperationSwitch(choose: XmlElement): OperationSwitch | undefined {
  const whens = childrenNamed(choose, "when");
  const branches: OperationBranch[] = [];
  for (const when of whens) {
    const operationId = OPERATION_CONDITION.exec((when.attributes["condition"] ?? "").trim())?.[1];
    if (operationId === undefined) continue;
    branches.push({
      operationId,
      refusals: childrenNamed(when, "choose").flatMap((inner) =>
        childrenNamed(inner, "when").map((refusal) => ({
          condition: refusal.attributes["condition"] ?? "",
          status: statusOf(childrenNamed(refusal, "return-response")[0]),
        })),
      ),
      validations: childrenNamed(when, "validate-jwt").map(toValidation),
    });
  }
  if (branches.length === 0) return undefined;
  return { branches, otherwiseStatus: statusOf(childrenNamed(choose, "otherwise").flatMap((o) => childrenNamed(o, "return-response"))[0]) };
}

function toValidation(element: XmlElement): JwtValidation {
  const requiredClaims = new Map<string, string[]>();
  const claimRules: JwtValidation["claimRules"][number][] = [];
  for (const claim of descendants(element, "required-claims", "claim")) {
    const name = claim.attributes["name"];
    if (name === undefined) continue;
    requiredClaims.set(name, [...(requiredClaims.get(name) ?? []), ...childrenNamed(claim, "value").map((value) => value.text)]);
    claimRules.push({ name, match: claim.attributes["match"], separator: claim.attributes["separator"] });
  }
  return {
    attributes: element.attributes,
    audiences: descendants(element, "audiences", "audience").map((audience) => audience.text),
    issuers: descendants(element, "issuers", "issuer").map((issuer) => issuer.text),
    openIdConfigUrls: childrenNamed(element, "openid-config").map((config) => config.attributes["url"] ?? ""),
    keys: [...descendants(element, "issuer-signing-keys", "key"), ...descendants(element, "decryption-keys", "key")].map((key) => key.text),
    requiredClaims,
    claimRules,
  };
}

function everyElement(root: XmlElement, name: string): XmlElement[] {
  const found = root.name === name ? [root] : [];
  return [...found, ...root.children.flatMap((child) => everyElement(child, name))];
}

/**
 * The permission a refusal's condition tests as a whole word of `scope`, or undefined when
 * the condition is anything else. Whole word: the token's claim (from the validate-jwt's
 * output variable) split on one space, then compared entry by entry, the gateway's twin of
 * `required-claims` with `separator=" "` and `match="any"`.
 */
export function wholeWordPermission(condition: string, tokenVariable: string): string | undefined {
  const match =
    /^@\(\s*!\s*\(\(Jwt\)context\.Variables\["([^"\\]+)"\]\)\.Claims\.GetValueOrDefault\("scope",\s*""\)\.Split\(' '\)\.Contains\("([^"\\]+)"\)\s*\)$/.exec(
      condition.trim(),
    );
  return match !== null && match[1] === tokenVariable ? match[2] : undefined;
}

/** The permission a refusal's condition names in a `.Contains("...")`, whole word or not. */
export function namedPermission(condition: string): string | undefined {
  return /\.Contains\("([^"\\]+)"\)/.exec(condition)?.[1];
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
