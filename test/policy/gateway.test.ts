import { describe, expect, test } from "vitest";
import { missingPermissionCondition, renderApiPolicy, TOKEN_VARIABLE } from "../../infra/azure/policy-xml";
import { parseApimPolicy, wholeWordPermission } from "../../policy/lib/apim-policy";
import { apimJwtValidation } from "../../policy/rules";
import { listStacks, loadStackSpec } from "../../stacks/stack-config";
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

/** `!((Jwt)context.Variables["access-token"])...Split(' ').Contains(...)`, the whole-word check, XML-escaped as a renderer writes it. */
const missing = (permission: string, split = ".Split(&apos; &apos;)") =>
  `@(!((Jwt)context.Variables[&quot;access-token&quot;]).Claims.GetValueOrDefault(&quot;scope&quot;, &quot;&quot;)${split}.Contains(&quot;${permission}&quot;))`;
const refuse = (status = 403) => `<return-response><set-status code="${status}" reason="Forbidden" /></return-response>`;
const branch = (operationId: string, permission: string, condition = missing(permission)) =>
  `<when condition="@(context.Operation.Id == &quot;${operationId}&quot;)"><choose><when condition="${condition}">${refuse()}</when></choose></when>`;

interface DenyOptions {
  readonly branches?: string;
  readonly otherwise?: string;
}

/** The deny-by-default `<choose>` after the fixture's validate-jwt, for the operations `upload` and `create`. */
function denyByDefault(
  xml: string = policyXml({ attributes: ' failed-validation-httpcode="401" output-token-variable-name="access-token"' }),
  options: DenyOptions = {},
): string {
  const branches = options.branches ?? `${branch("upload", "batch:upload")}${branch("create", "create:timesheets")}`;
  const otherwise = options.otherwise ?? `<otherwise>${refuse()}</otherwise>`;
  return xml.replace("</validate-jwt>", `</validate-jwt>\n    <choose>${branches}${otherwise}</choose>`);
}
const withToken = (options: Parameters<typeof policyXml>[0] = {}) =>
  policyXml({
    ...options,
    attributes: `${options.attributes ?? ' failed-validation-httpcode="401"'} output-token-variable-name="access-token"`,
  });
const operations = [operation("upload"), operation("create")];
const gateway = (policy: StackResourceInput = apiPolicy(denyByDefault()), ...rest: StackResourceInput[]) => [
  ...auth0,
  gatewayApi(),
  policy,
  ...rest,
];
const check = (resources: StackResourceInput[]) => validateStack(apimJwtValidation, resources);
const at = 'ApiPolicy "gateway-api-policy": validate-jwt';

describe("apim-jwt-validation", () => {
  test("accepts an API whose one policy validates this stack's tokens and denies by default; its operations have no policy of their own", async () => {
    expect(await check(gateway(apiPolicy(denyByDefault()), ...operations))).not.toHaveBeenCalled();
  });

  test("refuses an API-level policy that does not deny by default", async () => {
    expect(messages(await check(gateway(apiPolicy(withToken()), ...operations)))).toEqual([
      'ApiPolicy "gateway-api-policy" does not deny by default: expected after its validate-jwt a <choose> on context.Operation.Id with a <when> per operation requiring its permission (403) and an <otherwise> answering 403',
    ]);
  });

  test("refuses a <choose> whose <otherwise> lets undeclared operations through", async () => {
    for (const otherwise of ["", "<otherwise />", `<otherwise><return-response><set-status code="200" /></return-response></otherwise>`]) {
      const report = await check(gateway(apiPolicy(denyByDefault(undefined, { otherwise })), ...operations));
      expect(messages(report), otherwise).toEqual([
        expect.stringMatching(/^ApiPolicy "gateway-api-policy" lets through operations its <choose> does not name/),
      ]);
    }
  });

  test("refuses an operation map that misses a declared operation", async () => {
    const report = await check(gateway(apiPolicy(denyByDefault(undefined, { branches: branch("upload", "batch:upload") })), ...operations));
    expect(messages(report)).toEqual([
      'ApiPolicy "gateway-api-policy" names no permission for operation create, so it refuses it to every token; expected a <when> for it',
    ]);
  });

  test.each([
    { name: "a substring match", condition: missing("batch:upload", "") },
    { name: "a split on commas", condition: missing("batch:upload", ".Split(&apos;,&apos;)") },
    { name: "another variable than the validate-jwt's", condition: missing("batch:upload").replace("access-token", "jwt") },
  ])("refuses a permission match that is not whole-word: $name", async ({ condition }) => {
    const branches = `${branch("upload", "batch:upload", condition)}${branch("create", "create:timesheets")}`;
    const report = await check(gateway(apiPolicy(denyByDefault(undefined, { branches })), ...operations));
    expect(messages(report)).toEqual([
      expect.stringMatching(/^ApiPolicy "gateway-api-policy", operation upload does not require a permission as a whole word of scope/),
    ]);
  });

  test("refuses a permission the API does not declare, and a refusal that is not 403", async () => {
    const wrong = `<when condition="@(context.Operation.Id == &quot;create&quot;)"><choose><when condition="${missing("create:timesheets")}">${refuse(401)}</when></choose></when>`;
    const branches = `${branch("upload", "batch:uploads")}${wrong}`;
    expect(messages(await check(gateway(apiPolicy(denyByDefault(undefined, { branches })), ...operations)))).toEqual([
      'ApiPolicy "gateway-api-policy", operation upload requires the permission batch:uploads, which is not a permission of this API',
      'ApiPolicy "gateway-api-policy", operation create answers 401 without create:timesheets; expected 403',
    ]);
  });

  test("refuses a second validation of the same request", async () => {
    const second = `<when condition="@(context.Operation.Id == &quot;create&quot;)">${permissionXml("create:timesheets").replace(/^[\s\S]*?(<validate-jwt[\s\S]*<\/validate-jwt>)[\s\S]*$/, "$1")}<choose><when condition="${missing("create:timesheets")}">${refuse()}</when></choose></when>`;
    const report = await check(
      gateway(apiPolicy(denyByDefault(undefined, { branches: `${branch("upload", "batch:upload")}${second}` })), ...operations),
    );
    expect(messages(report)).toEqual([
      'ApiPolicy "gateway-api-policy", operation create validates the token a second time; expected one validate-jwt per request, its output variable read by the permission check',
    ]);
  });

  test('reads whitespace as written: separator=" " is whole-word, separator="" and match="all" are not', async () => {
    const withClaim = (claim: string) => apiPolicy(denyByDefault(withToken({ claims: `<required-claims>${claim}</required-claims>` })));
    expect(
      await check(gateway(withClaim('<claim name="scope" match="any" separator=" "><value>batch:upload</value></claim>'), ...operations)),
    ).not.toHaveBeenCalled();
    expect(
      messages(
        await check(gateway(withClaim('<claim name="scope" match="any" separator=""><value>batch:upload</value></claim>'), ...operations)),
      ),
    ).toEqual([
      `${at} requires "scope" with separator="" and match="any"; expected separator=" " and match="any", so a permission counts only as a whole word of the space-separated scope`,
    ]);
    expect(
      messages(await check(gateway(withClaim('<claim name="scope" separator=" "><value>batch:upload</value></claim>'), ...operations))),
    ).toEqual([
      `${at} requires "scope" with separator=" " and match="all"; expected separator=" " and match="any", so a permission counts only as a whole word of the space-separated scope`,
    ]);
  });

  test("refuses an API without an API-level policy", async () => {
    const report = await check([...auth0, gatewayApi(), ...operations]);
    expect(report.mock.calls).toEqual([
      [
        'API "gateway-api" has no API-level policy; it must validate every request\'s access token with validate-jwt',
        urnOf("dev", T.api, "gateway-api"),
      ],
    ]);
  });

  test("refuses an audience that is not a resource server of the stack", async () => {
    const report = await check(gateway(apiPolicy(denyByDefault(withToken({ audience: "https://timesheets.exampleco.com/api" })))));
    expect(messages(report)).toEqual([
      `${at} accepts the audience https://timesheets.exampleco.com/api, which no resource server in this stack declares; expected one of [${API}]`,
    ]);
  });

  test("refuses another tenant's issuer and keys", async () => {
    const report = await check(gateway(apiPolicy(denyByDefault(withToken({ issuer: "https://exampleco.eu.auth0.com/" })))));
    expect(messages(report)).toEqual([
      `${at} accepts the issuer https://exampleco.eu.auth0.com/; expected [${ISSUER}], the tenant of its audience`,
      `${at} takes its signing keys from https://exampleco.eu.auth0.com/.well-known/openid-configuration; expected [${ISSUER}.well-known/openid-configuration], its issuer's metadata`,
    ]);
  });

  test("refuses a validate-jwt without audience, issuer or keys", async () => {
    const report = await check(gateway(apiPolicy(denyByDefault(withToken({ audience: "", issuer: "", keys: "" })))));
    expect(messages(report)).toEqual([
      `${at} lists no audience; expected one of [${API}]`,
      `${at} lists no issuer; expected its audience's tenant, https://<domain>/`,
      `${at} names no signing keys; expected <openid-config url="..."> of its issuer`,
    ]);
  });

  test("refuses unsigned tokens and tokens without expiry", async () => {
    const attributes = ' require-signed-tokens="false" require-expiration-time="False"';
    const report = await check(gateway(apiPolicy(denyByDefault(withToken({ attributes })))));
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

  test("accepts an operation without a policy of its own: the API's policy decides for it", async () => {
    expect(await check(gateway(apiPolicy(denyByDefault()), operation("upload")))).not.toHaveBeenCalled();
  });

  test("refuses an operation policy that skips the API's validation and permission check", async () => {
    const report = await check(gateway(apiPolicy(denyByDefault()), ...operations, operationPolicy("upload", policyXml({ base: false }))));
    expect(messages(report)).toEqual([
      'ApiOperationPolicy "gateway-operation-upload-policy" leaves <base /> out of <inbound>, so the API-level token validation and permission check do not run for its operation',
    ]);
  });

  test("refuses a required permission the API does not declare, in an operation's own policy", async () => {
    const report = await check(
      gateway(apiPolicy(denyByDefault()), ...operations, operationPolicy("upload", permissionXml("batch:uploads"))),
    );
    expect(messages(report)).toEqual([
      `ApiOperationPolicy "gateway-operation-upload-policy" requires the permission batch:uploads, which is not a permission of this API`,
    ]);
  });

  test("matches policies and operations by dependency where the outputs carry no apiId (azure-native outputs)", async () => {
    const strip = (resource: StackResourceInput, dependsOn: string[]): StackResourceInput => {
      const { apiId: _api, operationId: _operation, serviceName: _service, resourceGroupName: _group, ...props } = resource.props ?? {};
      return {
        ...resource,
        props: { ...props, name: { "gateway-api": "timesheets-api", "gateway-operation-upload": "upload" }[resource.name] ?? "policy" },
        dependsOn,
      };
    };
    const linked = [
      ...auth0,
      strip(gatewayApi(), []),
      strip(apiPolicy(denyByDefault(undefined, { branches: branch("upload", "batch:upload") })), ["gateway-api"]),
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
    const xml = denyByDefault(
      withToken({
        audience: "{{timesheets-audience}}",
        keys: "<issuer-signing-keys><key>{{signing-key}}</key></issuer-signing-keys>",
      }),
    );
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
    expect(messages(await check([noDomain, gatewayApi(), apiPolicy(denyByDefault())]))).toEqual([
      `${at}: its issuer cannot be checked, as the Auth0 provider of resource server "timesheets-api-resource-server" names no domain`,
    ]);
  });
});

describe("the pack reads the program's policy as the renderer writes it", () => {
  test.each(listStacks())("%s: one validation, a branch per declared operation with its whole-word permission, otherwise 403", (stack) => {
    const spec = loadStackSpec(stack);
    const parsed = parseApimPolicy(renderApiPolicy(spec));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.inbound.validations).toHaveLength(1);
    const [operationSwitch] = parsed.inbound.operationSwitches;
    expect(operationSwitch?.otherwiseStatus).toBe(403);
    const required = operationSwitch?.branches.map((b) => [
      b.operationId,
      b.refusals.map((r) => wholeWordPermission(r.condition, TOKEN_VARIABLE)),
    ]);
    expect(required).toEqual(spec.gateway?.operations.map((operation) => [operation.id, [operation.permission]]));
  });

  test("the whole-word pattern is the renderer's condition, and nothing looser", () => {
    expect(wholeWordPermission(missingPermissionCondition("batch:upload"), TOKEN_VARIABLE)).toBe("batch:upload");
    expect(wholeWordPermission(missingPermissionCondition("batch:upload").replace(".Split(' ')", ""), TOKEN_VARIABLE)).toBeUndefined();
    expect(
      wholeWordPermission(missingPermissionCondition("batch:upload").replace("Split(' ')", "Split(',')"), TOKEN_VARIABLE),
    ).toBeUndefined();
  });
});
