import path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { rawConfigFrom } from "../../infra/config/raw";
import type { GatewayOperation, TenantSpec } from "../../infra/config/spec";
import { renderApiPolicy, renderOperationPolicy, signingKeyNamedValue } from "../../infra/azure/policy-xml";
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

describe.each(stacks)("the %s stack's policies", (stack) => {
  const spec = loadStackSpec(stack);
  const gateway = spec.gateway;
  if (gateway === undefined) throw new Error(`${stack} has no gateway`);
  const apiPolicy = renderApiPolicy(spec);

  test("every section of every policy inherits its parent scope first, so the API's check runs before an operation's", () => {
    for (const xml of [apiPolicy, ...gateway.operations.map((operation) => renderOperationPolicy(spec, operation))]) {
      expect(childrenOf(parse(xml)).map(tagOf)).toEqual(["inbound", "backend", "outbound", "on-error"]);
      for (const name of ["inbound", "backend", "outbound", "on-error"]) expect(section(xml, name)[0]).toBe("base");
    }
  });

  test("the API scope validates Auth0's access token for this API and answers 401", () => {
    expect(section(apiPolicy, "inbound")).toEqual(["base", "validate-jwt"]);
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
      "output-token-variable-name": "access-token",
    });
    expect(childrenOf(validateJwt).map(tagOf)).toEqual(["openid-config", "audiences", "issuers"]);
    expect(attributesOf(child(validateJwt, "openid-config")).url).toBe(`https://${spec.tenant.domain}/.well-known/openid-configuration`);
    expect(textOf(child(child(validateJwt, "audiences"), "audience"))).toBe(spec.api.identifier);
    // Auth0's `iss` ends with a slash; an issuer without it would refuse every genuine token.
    expect(textOf(child(child(validateJwt, "issuers"), "issuer"))).toBe(`https://${spec.tenant.domain}/`);
  });

  test.each(gateway.operations.map((operation) => [operation.id, operation] as const))(
    "%s requires its permission as a whole word of scope, or 403",
    (_id, operation: GatewayOperation) => {
      const xml = renderOperationPolicy(spec, operation);
      expect(section(xml, "inbound")).toEqual(["base", "validate-jwt"]);
      const validateJwt = validateJwtOf(xml);
      expect(attributesOf(validateJwt)).toMatchObject({
        id: "require-permission",
        "failed-validation-httpcode": "403",
        "require-scheme": "Bearer",
        "header-name": "Authorization",
      });
      const claims = childrenOf(child(validateJwt, "required-claims"));
      expect(claims).toHaveLength(1);
      expect(attributesOf(claims[0] as Node)).toEqual({ name: "scope", match: "any", separator: " " });
      expect(childrenOf(claims[0] as Node).map(textOf)).toEqual([operation.permission]);
      const header = child(child(child(child(parse(xml), "on-error"), "choose"), "when"), "set-header");
      expect(textOf(child(header, "value"))).toBe(`Bearer error="insufficient_scope", scope="${operation.permission}"`);
    },
  );

  test("the permissions are the spec's mapping, one policy per operation", () => {
    const required = gateway.operations.map((operation) =>
      textOf(child(child(child(validateJwtOf(renderOperationPolicy(spec, operation)), "required-claims"), "claim"), "value")),
    );
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
    const again = loadStackSpec(stack);
    expect(renderApiPolicy(again)).toBe(apiPolicy);
    for (const operation of gateway.operations)
      expect(renderOperationPolicy(again, operation)).toBe(renderOperationPolicy(spec, operation));
  });

  test("matches the committed rendering", async () => {
    const document = [
      `<!-- API policy: ${gateway.api.name} -->`,
      apiPolicy,
      ...gateway.operations.flatMap((operation) => [
        `<!-- ${operation.id}: ${operation.method} ${operation.urlTemplate} -->`,
        renderOperationPolicy(spec, operation),
      ]),
      "",
    ].join("\n");
    await expect(document).toMatchFileSnapshot(path.join(__dirname, "__snapshots__", `gateway-policies.${stack}.xml`));
  });
});

describe("rendering", () => {
  test("escapes every value it writes", () => {
    const identifier = 'https://timesheets.exampleco.com/api?a=1&b="2"';
    const spec = withConfig("dev", { apiIdentifier: identifier });
    const xml = renderApiPolicy(spec);
    expect(xml).toContain("a=1&amp;b=&quot;2&quot;");
    expect(textOf(child(child(validateJwtOf(xml), "audiences"), "audience"))).toBe(identifier);
  });

  test("HS256 verifies with the named value, never with the secret or Auth0's published keys", () => {
    const spec = withConfig("dev", { signingAlg: "HS256", allowHs256: true });
    const gateway = spec.gateway;
    if (gateway === undefined) throw new Error("no gateway");
    for (const xml of [renderApiPolicy(spec), renderOperationPolicy(spec, gateway.operations[0] as GatewayOperation)]) {
      const validateJwt = validateJwtOf(xml);
      expect(childrenOf(validateJwt).map(tagOf)).not.toContain("openid-config");
      expect(textOf(child(child(validateJwt, "issuer-signing-keys"), "key"))).toBe(`{{${signingKeyNamedValue(gateway)}}}`);
    }
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
