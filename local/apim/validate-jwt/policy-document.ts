import { XMLValidator } from "fast-xml-parser";
import { parseXml } from "../../../infra/azure/xml";

/**
 * An API Management policy document, parsed into the subset of statements this project
 * emits. Anything outside the subset is refused with an error rather than skipped: a
 * harness that ignored an element it does not understand would report a policy as safe
 * on behaviour it never modelled.
 */

export interface RequiredClaim {
  readonly name: string;
  readonly match: "all" | "any";
  readonly separator: string | undefined;
  readonly values: readonly string[];
}

/** A `<key>` of `issuer-signing-keys`: inline base64 (symmetric), or an RSA modulus and exponent. */
export type SigningKeyElement =
  | { readonly kind: "base64"; readonly id: string | undefined; readonly value: string }
  | { readonly kind: "rsa"; readonly id: string | undefined; readonly n: string; readonly e: string };

export interface ValidateJwtPolicy {
  readonly id: string | undefined;
  readonly headerName: string | undefined;
  readonly queryParameterName: string | undefined;
  readonly failedStatus: number;
  readonly failedMessage: string | undefined;
  readonly requireExpirationTime: boolean;
  readonly requireScheme: string | undefined;
  readonly requireSignedTokens: boolean;
  readonly clockSkewSeconds: number;
  readonly outputTokenVariableName: string | undefined;
  readonly openIdConfigUrls: readonly string[];
  readonly issuerSigningKeys: readonly SigningKeyElement[];
  readonly audiences: readonly string[];
  readonly issuers: readonly string[];
  readonly requiredClaims: readonly RequiredClaim[];
}

export interface SetHeader {
  readonly kind: "set-header";
  readonly name: string;
  readonly existsAction: "override" | "skip" | "append" | "delete";
  readonly values: readonly string[];
}

/** `return-response` without `response-variable-name`: a new response, built from its own children. */
export interface ReturnResponse {
  readonly kind: "return-response";
  readonly status: number;
  readonly reason: string | undefined;
  readonly headers: readonly SetHeader[];
  readonly body: string | undefined;
}

export type Statement =
  | { readonly kind: "base" }
  | ReturnResponse
  | SetHeader
  | { readonly kind: "validate-jwt"; readonly policy: ValidateJwtPolicy }
  | {
      readonly kind: "choose";
      readonly when: readonly { readonly condition: string; readonly statements: readonly Statement[] }[];
      readonly otherwise: readonly Statement[];
    };

export interface PolicyDocument {
  readonly inbound: readonly Statement[];
  readonly backend: readonly Statement[];
  readonly outbound: readonly Statement[];
  readonly onError: readonly Statement[];
}

type Node = Record<string, unknown>;

const tagOf = (node: Node): string => Object.keys(node).find((key) => key !== ":@") ?? "";
const attributesOf = (node: Node): Record<string, string> => (node[":@"] as Record<string, string> | undefined) ?? {};
const elementsOf = (node: Node): Node[] =>
  ((node[tagOf(node)] as Node[] | undefined) ?? []).filter((child) => {
    if (tagOf(child) !== "#text") return true;
    if (String(child["#text"]).trim() !== "") throw new Error(`unexpected text in <${tagOf(node)}>: ${String(child["#text"])}`);
    return false;
  });
const textOf = (node: Node): string =>
  ((node[tagOf(node)] as Node[] | undefined) ?? []).map((child) => String(child["#text"] ?? "")).join("");

function onlyAttributes(node: Node, allowed: readonly string[]): Record<string, string> {
  const attributes = attributesOf(node);
  for (const name of Object.keys(attributes)) {
    if (!allowed.includes(name)) throw new Error(`<${tagOf(node)}> attribute ${name} is outside the modelled subset`);
  }
  return attributes;
}

function booleanAttribute(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (value === "true" || value === "false") return value === "true";
  throw new Error(`${name}="${value}" is not a boolean (policy expressions are outside the modelled subset)`);
}

function integerAttribute(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name}="${value}" is not a whole number`);
  return Number(value);
}

/** validate-jwt's child elements, in the order Microsoft's policy statement gives them. */
const VALIDATE_JWT_CHILDREN = ["openid-config", "issuer-signing-keys", "decryption-keys", "audiences", "issuers", "required-claims"];

function validateJwt(node: Node): ValidateJwtPolicy {
  const a = onlyAttributes(node, [
    "id",
    "header-name",
    "query-parameter-name",
    "failed-validation-httpcode",
    "failed-validation-error-message",
    "require-expiration-time",
    "require-scheme",
    "require-signed-tokens",
    "clock-skew",
    "output-token-variable-name",
  ]);
  if ((a["header-name"] === undefined) === (a["query-parameter-name"] === undefined)) {
    throw new Error("validate-jwt needs exactly one of header-name and query-parameter-name (token-value is outside the modelled subset)");
  }
  const children = elementsOf(node);
  const order = children.map((child) => VALIDATE_JWT_CHILDREN.indexOf(tagOf(child)));
  children.forEach((child, index) => {
    if (order[index] === -1) throw new Error(`<validate-jwt> child <${tagOf(child)}> is outside the modelled subset`);
    if (index > 0 && (order[index] as number) < (order[index - 1] as number))
      throw new Error(`<validate-jwt> child <${tagOf(child)}> is out of the documented order`);
  });
  const all = (tag: string): Node[] => children.filter((child) => tagOf(child) === tag);
  const listed = (tag: string, item: string): string[] =>
    all(tag).flatMap((list) =>
      elementsOf(list).map((entry) => {
        if (tagOf(entry) !== item) throw new Error(`<${tag}> holds <${tagOf(entry)}>; expected <${item}>`);
        return textOf(entry);
      }),
    );
  if (all("decryption-keys").length > 0) throw new Error("decryption-keys (encrypted tokens) are outside the modelled subset");
  return {
    id: a.id,
    headerName: a["header-name"],
    queryParameterName: a["query-parameter-name"],
    failedStatus: integerAttribute(a["failed-validation-httpcode"], 401, "failed-validation-httpcode"),
    failedMessage: a["failed-validation-error-message"],
    requireExpirationTime: booleanAttribute(a["require-expiration-time"], true, "require-expiration-time"),
    requireScheme: a["require-scheme"],
    requireSignedTokens: booleanAttribute(a["require-signed-tokens"], true, "require-signed-tokens"),
    clockSkewSeconds: integerAttribute(a["clock-skew"], 0, "clock-skew"),
    outputTokenVariableName: a["output-token-variable-name"],
    openIdConfigUrls: all("openid-config").map((config) => {
      const url = onlyAttributes(config, ["url"]).url;
      if (url === undefined) throw new Error("<openid-config> without url");
      return url;
    }),
    issuerSigningKeys: all("issuer-signing-keys").flatMap((keys) => elementsOf(keys).map(signingKey)),
    audiences: listed("audiences", "audience"),
    issuers: listed("issuers", "issuer"),
    requiredClaims: all("required-claims").flatMap((claims) => elementsOf(claims).map(requiredClaim)),
  };
}

function signingKey(node: Node): SigningKeyElement {
  if (tagOf(node) !== "key") throw new Error(`<issuer-signing-keys> holds <${tagOf(node)}>; expected <key>`);
  const a = onlyAttributes(node, ["id", "n", "e"]);
  if (a.n !== undefined && a.e !== undefined) return { kind: "rsa", id: a.id, n: a.n, e: a.e };
  return { kind: "base64", id: a.id, value: textOf(node).trim() };
}

function requiredClaim(node: Node): RequiredClaim {
  if (tagOf(node) !== "claim") throw new Error(`<required-claims> holds <${tagOf(node)}>; expected <claim>`);
  const a = onlyAttributes(node, ["name", "match", "separator"]);
  if (a.name === undefined) throw new Error("<claim> without name");
  const match = a.match ?? "all";
  if (match !== "all" && match !== "any") throw new Error(`<claim match="${match}"> is neither all nor any`);
  return {
    name: a.name,
    match,
    separator: a.separator,
    values: elementsOf(node).map((value) => {
      if (tagOf(value) !== "value") throw new Error(`<claim> holds <${tagOf(value)}>; expected <value>`);
      return textOf(value);
    }),
  };
}

function setHeader(node: Node): SetHeader {
  const a = onlyAttributes(node, ["name", "exists-action"]);
  const existsAction = a["exists-action"] ?? "override";
  if (a.name === undefined) throw new Error("<set-header> without name");
  if (!["override", "skip", "append", "delete"].includes(existsAction))
    throw new Error(`<set-header exists-action="${existsAction}"> is not documented`);
  return {
    kind: "set-header",
    name: a.name,
    existsAction: existsAction as SetHeader["existsAction"],
    values: elementsOf(node).map((value) => {
      if (tagOf(value) !== "value") throw new Error(`<set-header> holds <${tagOf(value)}>; expected <value>`);
      return textOf(value);
    }),
  };
}

/** `<return-response>`: set-status, set-header, set-body, in that order (Microsoft's policy statement). */
function returnResponse(node: Node): ReturnResponse {
  onlyAttributes(node, []);
  const children = elementsOf(node);
  const order = ["set-status", "set-header", "set-body"];
  children.forEach((child, index) => {
    const at = order.indexOf(tagOf(child));
    if (at === -1) throw new Error(`<return-response> child <${tagOf(child)}> is outside the modelled subset`);
    if (index > 0 && at < order.indexOf(tagOf(children[index - 1] as Node)))
      throw new Error(`<return-response> child <${tagOf(child)}> is out of the documented order`);
  });
  const statuses = children.filter((child) => tagOf(child) === "set-status");
  const bodies = children.filter((child) => tagOf(child) === "set-body");
  if (statuses.length > 1 || bodies.length > 1) throw new Error("<return-response> holds set-status or set-body more than once");
  const status = statuses[0] === undefined ? undefined : onlyAttributes(statuses[0], ["code", "reason"]);
  return {
    kind: "return-response",
    // Documented: without set-status, return-response answers 200 OK.
    status: integerAttribute(status?.code, 200, "set-status code"),
    reason: status?.reason,
    headers: children.filter((child) => tagOf(child) === "set-header").map(setHeader),
    body: bodies[0] === undefined ? undefined : textOf(bodies[0]),
  };
}

function statement(node: Node): Statement {
  switch (tagOf(node)) {
    case "base":
      return { kind: "base" };
    case "validate-jwt":
      return { kind: "validate-jwt", policy: validateJwt(node) };
    case "choose": {
      const children = elementsOf(node);
      const when = children.filter((child) => tagOf(child) === "when");
      const otherwise = children.filter((child) => tagOf(child) === "otherwise");
      if (when.length + otherwise.length !== children.length || otherwise.length > 1)
        throw new Error("<choose> holds something other than <when> and one <otherwise>");
      return {
        kind: "choose",
        when: when.map((branch) => {
          const condition = onlyAttributes(branch, ["condition"]).condition;
          if (condition === undefined) throw new Error("<when> without condition");
          return { condition, statements: elementsOf(branch).map(statement) };
        }),
        otherwise: otherwise.flatMap((branch) => elementsOf(branch).map(statement)),
      };
    }
    case "set-header":
      return setHeader(node);
    case "return-response":
      return returnResponse(node);
    default:
      throw new Error(`<${tagOf(node)}> is outside the modelled subset of policy statements`);
  }
}

const NAMED_VALUE = /\{\{([^{}]+)\}\}/g;

function substitute(text: string, namedValues: Readonly<Record<string, string>>): string {
  return text.replace(NAMED_VALUE, (_, name: string) => {
    const value = namedValues[name];
    if (value === undefined) throw new Error(`the policy names {{${name}}}, which is not a defined named value`);
    return value;
  });
}

/**
 * `{{name}}` replaced in every attribute value and text of a parsed document: API
 * Management substitutes named values in values, so a value holding `<` or `&` stays a
 * value and cannot add elements to the policy. (Guess: the documentation says named
 * values may stand in attribute values and element text; whether APIM substitutes before
 * or after parsing is not written down. After is the reading that keeps values values.)
 */
function substituteNamedValues(nodes: readonly Node[], namedValues: Readonly<Record<string, string>>): Node[] {
  return nodes.map((node) => {
    const tag = tagOf(node);
    if (tag === "#text") return { "#text": substitute(String(node["#text"]), namedValues) };
    const attributes = node[":@"] as Record<string, string> | undefined;
    const copy: Node = { [tag]: substituteNamedValues((node[tag] as Node[] | undefined) ?? [], namedValues) };
    if (attributes !== undefined)
      copy[":@"] = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, substitute(value, namedValues)]));
    return copy;
  });
}

/**
 * Parses a policy document, then substitutes named values (`{{name}}`) in its values; one
 * that is not defined is an error, as it is when APIM saves the policy.
 */
export function parsePolicyDocument(xml: string, namedValues: Readonly<Record<string, string>> = {}): PolicyDocument {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`the policy is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const roots = substituteNamedValues(parseXml(xml), namedValues).filter(
    (node) => tagOf(node) !== "#text" || String(node["#text"]).trim() !== "",
  );
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || tagOf(root) !== "policies")
    throw new Error("a policy document has one root element, <policies>");
  const sections = new Map(elementsOf(root).map((section) => [tagOf(section), section]));
  if (sections.size !== elementsOf(root).length) throw new Error("<policies> holds a section more than once");
  for (const name of sections.keys()) {
    if (!["inbound", "backend", "outbound", "on-error"].includes(name))
      throw new Error(`<policies> holds <${name}>, which is not a policy section`);
  }
  const section = (name: string): Statement[] => {
    const found = sections.get(name);
    return found === undefined ? [] : elementsOf(found).map(statement);
  };
  return { inbound: section("inbound"), backend: section("backend"), outbound: section("outbound"), onError: section("on-error") };
}
