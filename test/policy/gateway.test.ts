import { describe, expect, test } from "vitest";
import { apimJwtValidation } from "../../policy/rules";
import { messages, urnOf, validateStack, type StackResourceInput } from "./support/policy-args";
import {
  API,
  ISSUER,
  T,
  apiPolicy,
  auth0Provider,
  gatewayApi,
  namedValue,
  operation,
  operationPolicy,
  permissions,
  permissionXml,
  policyXml,
  resourceServer,
} from "./support/fixtures";

const auth0 = [resourceServer(), permissions()];
const upload = [operation("upload"), operationPolicy("upload", permissionXml("batch:upload"))];
const gateway = (policy: StackResourceInput = apiPolicy(), ...rest: StackResourceInput[]) => [...auth0, gatewayApi(), policy, ...rest];
const check = (resources: StackResourceInput[]) => validateStack(apimJwtValidation, resources);
const at = 'ApiPolicy "gateway-api-policy": validate-jwt';

describe("apim-jwt-validation", () => {
  test("accepts an API whose policy validates this stack's tokens and whose operations require permissions", async () => {
    expect(await check(gateway(apiPolicy(), ...upload))).not.toHaveBeenCalled();
  });

  test("refuses an API without an API-level policy", async () => {
    const report = await check([...auth0, gatewayApi(), ...upload]);
    expect(report.mock.calls).toEqual([
      [
        'API "gateway-api" has no API-level policy; it must validate every request\'s access token with validate-jwt',
        urnOf("dev", T.api, "gateway-api"),
      ],
    ]);
  });

  test("refuses an audience that is not a resource server of the stack", async () => {
    const report = await check(gateway(apiPolicy(policyXml({ audience: "https://timesheets.exampleco.com/api" }))));
    expect(messages(report)).toEqual([
      `${at} accepts the audience https://timesheets.exampleco.com/api, which no resource server in this stack declares; expected one of [${API}]`,
    ]);
  });

  test("refuses another tenant's issuer and keys", async () => {
    const report = await check(gateway(apiPolicy(policyXml({ issuer: "https://exampleco.eu.auth0.com/" }))));
    expect(messages(report)).toEqual([
      `${at} accepts the issuer https://exampleco.eu.auth0.com/; expected [${ISSUER}], the tenant of its audience`,
      `${at} takes its signing keys from https://exampleco.eu.auth0.com/.well-known/openid-configuration; expected [${ISSUER}.well-known/openid-configuration], its issuer's metadata`,
    ]);
  });

  test("refuses a validate-jwt without audience, issuer or keys", async () => {
    const report = await check(gateway(apiPolicy(policyXml({ audience: "", issuer: "", keys: "" }))));
    expect(messages(report)).toEqual([
      `${at} lists no audience; expected one of [${API}]`,
      `${at} lists no issuer; expected its audience's tenant, https://<domain>/`,
      `${at} names no signing keys; expected <openid-config url="..."> of its issuer`,
    ]);
  });

  test("refuses unsigned tokens and tokens without expiry", async () => {
    const attributes = ' require-signed-tokens="false" require-expiration-time="False"';
    const report = await check(gateway(apiPolicy(policyXml({ attributes }))));
    expect(messages(report)).toEqual([
      `${at} accepts unsigned tokens (require-signed-tokens="false")`,
      `${at} accepts tokens without an expiry (require-expiration-time="false")`,
    ]);
  });

  test("does not count a validate-jwt that runs only under a condition", async () => {
    const conditional = policyXml()
      .replace("<validate-jwt", '<choose><when condition="@(false)"><validate-jwt')
      .replace("</validate-jwt>", "</validate-jwt></when></choose>");
    expect(messages(await check(gateway(apiPolicy(conditional))))).toEqual([
      'ApiPolicy "gateway-api-policy" has no validate-jwt directly in <inbound>; the API-level policy must validate every request\'s access token',
    ]);
  });

  test("refuses a policy document that is not XML", async () => {
    expect(messages(await check(gateway(apiPolicy("<policies><inbound></policies>"))))).toEqual([
      "ApiPolicy \"gateway-api-policy\" is not a readable policy document: Expected closing tag 'inbound' (opened in line 1, col 11) instead of closing tag 'policies'. (line 1)",
    ]);
  });

  test("refuses an operation without a policy", async () => {
    const report = await check(gateway(apiPolicy(), operation("upload")));
    expect(report.mock.calls).toEqual([
      [
        'operation "gateway-operation-upload" of API "gateway-api" has no policy; every operation requires a permission in the token\'s scope claim',
        urnOf("dev", T.operation, "gateway-operation-upload"),
      ],
    ]);
  });

  test("refuses an operation policy that requires no permission, or skips the API's validation", async () => {
    const report = await check(gateway(apiPolicy(), operation("upload"), operationPolicy("upload", policyXml({ base: false }))));
    expect(messages(report)).toEqual([
      'ApiOperationPolicy "gateway-operation-upload-policy" leaves <base /> out of <inbound>, so the API-level token validation does not run for its operation',
      'ApiOperationPolicy "gateway-operation-upload-policy" requires no permission; expected a validate-jwt in <inbound> whose required "scope" claim names the operation\'s permission',
    ]);
  });

  test("refuses a required permission the API does not declare", async () => {
    const report = await check(gateway(apiPolicy(), operation("upload"), operationPolicy("upload", permissionXml("batch:uploads"))));
    expect(messages(report)).toEqual([
      `ApiOperationPolicy "gateway-operation-upload-policy" requires the permission batch:uploads, which is not a permission of [${API}]`,
    ]);
  });

  test("matches policies and operations by dependency where the outputs carry no apiId (azure-native outputs)", async () => {
    const strip = (resource: StackResourceInput, dependsOn: string[]): StackResourceInput => {
      const { apiId: _api, operationId: _operation, serviceName: _service, resourceGroupName: _group, ...props } = resource.props ?? {};
      return { ...resource, props: { ...props, name: resource.name === "gateway-api" ? "timesheets-api" : "policy" }, dependsOn };
    };
    const linked = [
      ...auth0,
      strip(gatewayApi(), []),
      strip(apiPolicy(), ["gateway-api"]),
      strip(operation("upload"), ["gateway-api"]),
      strip(operationPolicy("upload", permissionXml("batch:upload")), ["gateway-operation-upload"]),
    ];
    expect(await check(linked)).not.toHaveBeenCalled();
    const unlinked = linked.map((resource) => ({ ...resource, dependsOn: [] }));
    expect(messages(await check(unlinked))).toEqual([
      'API "gateway-api" has no API-level policy; it must validate every request\'s access token with validate-jwt',
    ]);
  });

  test("resolves named values, and accepts HS256 keys from a named value", async () => {
    const xml = policyXml({
      audience: "{{timesheets-audience}}",
      keys: "<issuer-signing-keys><key>{{signing-key}}</key></issuer-signing-keys>",
    });
    const resources = gateway(
      apiPolicy(xml),
      namedValue("timesheets-audience", { value: API }),
      namedValue("signing-key", { secret: true, value: "c2VjcmV0" }),
    );
    expect(await check(resources)).not.toHaveBeenCalled();
  });

  test("recognises API Management types from a versioned module", async () => {
    const versioned = { ...gatewayApi(), type: "azure-native:apimanagement/v20240501:Api" };
    expect(messages(await check([...auth0, versioned]))).toEqual([expect.stringContaining('API "gateway-api" has no API-level policy')]);
  });

  test("says so where a resource server's provider names no tenant, as the issuer cannot be checked", async () => {
    const noDomain = { ...resourceServer(), provider: { ...auth0Provider(), props: {} } };
    expect(messages(await check([noDomain, gatewayApi(), apiPolicy()]))).toEqual([
      `${at}: its issuer cannot be checked, as the Auth0 provider of resource server "timesheets-api-resource-server" names no domain`,
    ]);
  });
});
