import path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { rawConfigFrom } from "../../infra/config/raw";
import type { GatewayOperation, TenantSpec } from "../../infra/config/spec";
import {
  missingPermissionCondition,
  operationCondition,
  renderApiPolicy,
  signingKeyNamedValue,
  TOKEN_VARIABLE,
} from "../../infra/azure/policy-xml";
import { parseXml } from "../../infra/azure/xml";
import { listStacks, loadStackSpec, readStackConfig } from "../../stacks/stack-config";

/** A parsed element in fast-xml-parser's order-preserving shape. */
type Node = Record<string, unknown>;

const tagOf = (node: Node): string => Object.keys(node).find((key) => key !== ":@") ?? "";
const isIndentation = (node: Node): boolean => tagOf(node) === "#text" && String(node["#text"]).trim() === "";
const childrenOf = (node: Node): Node[] => ((node[tagOf(node)] as Node[] | undefined) ?? []).filter((c) => !isIndentation(c));
const attributesOf = (node: Node): Record<string, string> => (node[":@"] as Record<string, string> | undefined) ?? {};
const textOf = (node: Node): string =>
  childrenOf(node)
    .map((child) => String(child["#text"] ?? ""))
    .join("");

function child(node: Node, tag: string): Node {
  const found = childrenOf(node).filter((c) => tagOf(c) === tag);
  if (found.length !== 1) throw new Error(`expected one <${tag}> in <${tagOf(node)}>, found ${found.length}`);
  return found[0] as Node;
}

function parse(xml: string): Node {
  expect(XMLValidator.validate(xml)).toBe(true);
  const [root, ...rest] = parseXml(xml);
  expect(rest).toEqual([]);
  return root as Node;
}

function section(xml: string, name: string): string[] {
  return childrenOf(child(parse(xml), name)).map(tagOf);
}

function validateJwtOf(xml: string): Node {
  return child(child(parse(xml), "inbound"), "validate-jwt");
}

function withConfig(stack: string, changes: Record<string, unknown>): TenantSpec {
  return buildTenantSpec({ ...rawConfigFrom(readStackConfig(stack), "plain"), ...changes }, stack);
}

const stacks = listStacks();

/** The `<when>` of the inbound `<choose>` that names an operation, or undefined. */
function branchFor(xml: string, operationId: string): Node | undefined {
  const choose = child(child(parse(xml), "inbound"), "choose");
  return childrenOf(choose).find((node) => tagOf(node) === "when" && attributesOf(node).condition === operationCondition(operationId));
}

describe.each(stacks)("the %s stack's policy", (stack) => {
  const spec = loadStackSpec(stack);
  const gateway = spec.gateway;
  if (gateway === undefined) throw new Error(`${stack} has no gateway`);
  const apiPolicy = renderApiPolicy(spec);

  test("every section inherits the enclosing scope first", () => {
    expect(childrenOf(parse(apiPolicy)).map(tagOf)).toEqual(["inbound", "backend", "outbound", "on-error"]);
    for (const name of ["inbound", "backend", "outbound", "on-error"]) expect(section(apiPolicy, name)[0]).toBe("base");
  });

  test("validates the token once, then decides by operation", () => {
    expect(section(apiPolicy, "inbound")).toEqual(["base", "validate-jwt", "choose"]);
    expect(apiPolicy.match(/<validate-jwt /g)).toHaveLength(1);
  });

  test("the validate-jwt checks Auth0's access token for this API, answers 401, and keeps the token for the permission check", () => {
    const validateJwt = validateJwtOf(apiPolicy);
    expect(attributesOf(validateJwt)).toEqual({
      id: "authenticate",
      "header-name": "Authorization",
      "require-scheme": "Bearer",
      "failed-validation-httpcode": "401",
      "failed-validation-error-message": "Unauthorized: the access token is missing or invalid.",
      "require-expiration-time": "true",
      "require-signed-tokens": "true",
      "clock-skew": String(gateway.clockSkewSeconds),
      "output-token-variable-name": TOKEN_VARIABLE,
    });
    expect(childrenOf(validateJwt).map(tagOf)).toEqual(["openid-config", "audiences", "issuers"]);
    expect(attributesOf(child(validateJwt, "openid-config")).url).toBe(`https://${spec.tenant.domain}/.well-known/openid-configuration`);
    expect(textOf(child(child(validateJwt, "audiences"), "audience"))).toBe(spec.api.identifier);
    // Auth0's `iss` ends with a slash; an issuer without it would refuse every genuine token.
    expect(textOf(child(child(validateJwt, "issuers"), "issuer"))).toBe(`https://${spec.tenant.domain}/`);
  });

  test.each(gateway.operations.map((operation) => [operation.id, operation] as const))(
    "%s requires its permission as a whole word of scope, or 403 with insufficient_scope",
    (_id, operation: GatewayOperation) => {
      const branch = branchFor(apiPolicy, operation.id);
      if (branch === undefined) throw new Error(`no branch for ${operation.id}`);
      const inner = child(child(branch, "choose"), "when");
      expect(attributesOf(inner).condition).toBe(missingPermissionCondition(operation.permission));
      // Parsed with whitespace kept: the split is on one space, as written.
      expect(attributesOf(inner).condition).toContain(`.Split(' ').Contains("${operation.permission}")`);
      const response = child(inner, "return-response");
      expect(childrenOf(response).map(tagOf)).toEqual(["set-status", "set-header", "set-header", "set-body"]);
      expect(attributesOf(child(response, "set-status"))).toEqual({ code: "403", reason: "Forbidden" });
      const challenge = childrenOf(response).find((node) => tagOf(node) === "set-header" && attributesOf(node).name === "WWW-Authenticate");
      expect(textOf(child(challenge as Node, "value"))).toBe(`Bearer error="insufficient_scope", scope="${operation.permission}"`);
    },
  );

  test("an operation the spec does not declare is refused with 403", () => {
    const choose = child(child(parse(apiPolicy), "inbound"), "choose");
    expect(childrenOf(choose).map(tagOf)).toEqual([...gateway.operations.map(() => "when"), "otherwise"]);
    const response = child(child(choose, "otherwise"), "return-response");
    expect(attributesOf(child(response, "set-status")).code).toBe("403");
  });

  test("the 401's challenge tells a missing token from an invalid one", () => {
    const choose = child(child(parse(apiPolicy), "on-error"), "choose");
    const values = childrenOf(choose).map((when) => textOf(child(child(when, "set-header"), "value")));
    expect(values).toEqual(["Bearer", 'Bearer error="invalid_token"']);
    expect(attributesOf(childrenOf(choose)[0] as Node).condition).toContain('context.LastError.Reason == "TokenNotPresent"');
  });

  test("the permissions are the spec's mapping, one branch per operation", () => {
    const required = gateway.operations.map((operation) => {
      const branch = branchFor(apiPolicy, operation.id) as Node;
      return /Contains\("([^"]+)"\)\)$/.exec(attributesOf(child(child(branch, "choose"), "when")).condition ?? "")?.[1];
    });
    expect(required).toEqual([
      "batch:upload",
      "read:timesheets",
      "read:timesheets",
      "create:timesheets",
      "delete:timesheets",
      "approve:timesheets",
    ]);
  });

  test("renders the same bytes for the same spec", () => {
    expect(renderApiPolicy(loadStackSpec(stack))).toBe(apiPolicy);
  });

  test("matches the committed rendering", async () => {
    const document = [`<!-- API policy: ${gateway.api.name} (the only policy; operations have none of their own) -->`, apiPolicy, ""].join(
      "\n",
    );
    await expect(document).toMatchFileSnapshot(path.join(__dirname, "__snapshots__", `gateway-policies.${stack}.xml`));
  });
});

describe("rendering", () => {
  test("escapes every value it writes", () => {
    // RFC 3986 allows & and ' in a query (sub-delims), and the XML must escape them.
    const identifier = "https://timesheets.exampleco.com/api?a=1&b='2'";
    const spec = withConfig("dev", { apiIdentifier: identifier });
    const xml = renderApiPolicy(spec);
    expect(xml).toMatch(/a=1&amp;b=(&apos;|')2(&apos;|')/);
    expect(textOf(child(child(validateJwtOf(xml), "audiences"), "audience"))).toBe(identifier);
  });

  test("HS256 verifies with the named value, never with the secret or Auth0's published keys", () => {
    const spec = withConfig("dev", { signingAlg: "HS256", allowHs256: true });
    const gateway = spec.gateway;
    if (gateway === undefined) throw new Error("no gateway");
    const validateJwt = validateJwtOf(renderApiPolicy(spec));
    expect(childrenOf(validateJwt).map(tagOf)).not.toContain("openid-config");
    expect(textOf(child(child(validateJwt, "issuer-signing-keys"), "key"))).toBe(`{{${signingKeyNamedValue(gateway)}}}`);
    expect(signingKeyNamedValue(gateway)).toBe("timesheets-api-signing-key");
  });

  test("the clock skew follows the spec", () => {
    const spec = withConfig("staging", { apim: { ...(readStackConfig("staging")["timesheets:apim"] as object), clockSkewSeconds: 5 } });
    expect(attributesOf(validateJwtOf(renderApiPolicy(spec)))["clock-skew"]).toBe("5");
  });

  test("a spec without a gateway has no policy", () => {
    const raw = rawConfigFrom(readStackConfig("dev"), "plain");
    delete (raw as Record<string, unknown>).apim;
    expect(() => renderApiPolicy(buildTenantSpec(raw, "dev"))).toThrow(/timesheets:apim is not set/);
  });
});
