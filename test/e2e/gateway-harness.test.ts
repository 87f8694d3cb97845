import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import {
  bearer,
  gatewayFor,
  now,
  send,
  startFixture,
  stopFixture,
  withClaims,
  sendRaw,
  type Fixture,
  type GatewayOptions,
  type PolicyEdit,
  type TestRequest,
} from "../support/validate-jwt/gateway-fixture";

/**
 * The validate-jwt model reads the rendered XML, not the spec: break one element of a
 * policy and the answer changes the way API Management's documentation says it would.
 * Each case gives the request, the answer with the policies as rendered, and the answer
 * with the one edit.
 */

/** An operation API Management holds that the spec does not declare (added in the portal, say). */
const EXPORT = { id: "export-timesheets", method: "GET", urlTemplate: "/exports/timesheets" };

interface Mutation {
  readonly name: string;
  readonly edit?: PolicyEdit;
  /** The same gateway, with more beside the rendered API policy (the edit may be none). */
  readonly options?: GatewayOptions;
  /** An operation id of the spec, or an undeclared operation held beside them. */
  readonly operation: string | typeof EXPORT;
  readonly request: (f: Fixture) => Promise<TestRequest>;
  readonly asRendered: number;
  readonly edited: number;
}

const must = (xml: string, changed: string): string => {
  if (changed === xml) throw new Error("the edit changed nothing: the rendered policy no longer has what it targets");
  return changed;
};
const everyPermission = async (f: Fixture): Promise<TestRequest> =>
  bearer(await f.tenant.token(await f.tenant.clientWith(f.spec.api.permissions.map((p) => p.name))));
/** The operation's own policy, as the program used to write one, but without `<base/>`. */
const OWN_POLICY_WITHOUT_BASE =
  "<policies><inbound/><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>";

const mutations: Mutation[] = [
  {
    name: "an operation policy of its own without <base/> in inbound skips the API's checks: no token reaches the backend",
    options: { operationPolicies: { "list-timesheets": OWN_POLICY_WITHOUT_BASE } },
    operation: "list-timesheets",
    request: async () => ({}),
    asRendered: 401,
    edited: 200,
  },
  {
    name: "without the permission check the import job creates timesheets",
    edit: (xml) => must(xml, xml.replace(/(<\/validate-jwt>\s*)<choose>[\s\S]*<\/choose>(\s*<\/inbound>)/, "$1$2")),
    operation: "create-timesheet",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 403,
    edited: 200,
  },
  {
    name: "default deny: without <otherwise>, an operation nobody declared takes any valid token",
    edit: (xml) => must(xml, xml.replace(/<otherwise>[\s\S]*?<\/otherwise>/, "")),
    options: { extraOperations: [EXPORT] },
    operation: EXPORT,
    request: async (f) => bearer(f.importJobToken),
    asRendered: 403,
    edited: 200,
  },
  {
    name: "default deny: an operation missing from the map is refused even with its permission",
    edit: (xml) =>
      must(
        xml,
        xml.replace(/<when condition="@\(context\.Operation\.Id == &quot;approve-timesheet&quot;\)">[\s\S]*?<\/choose>\s*<\/when>/, ""),
      ),
    operation: "approve-timesheet",
    request: everyPermission,
    asRendered: 200,
    edited: 403,
  },
  {
    name: "default deny: a branch keyed on another operation id leaves the real one to <otherwise>",
    edit: (xml) => must(xml, xml.replace("== &quot;upload-timesheets&quot;", "== &quot;upload-timesheet&quot;")),
    operation: "upload-timesheets",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 200,
    edited: 403,
  },
  {
    name: "a permission matched as a substring lets batch:uploads pass for batch:upload",
    edit: (xml) => must(xml, xml.replaceAll(".Split(&apos; &apos;)", "")),
    operation: "upload-timesheets",
    request: async (f) => bearer(await withClaims(f, { scope: "read:timesheets batch:uploads" })),
    asRendered: 403,
    edited: 200,
  },
  {
    name: "scope split on commas refuses a token with several permissions",
    edit: (xml) => must(xml, xml.replaceAll("Split(&apos; &apos;)", "Split(&apos;,&apos;)")),
    operation: "approve-timesheet",
    request: everyPermission,
    asRendered: 200,
    edited: 403,
  },
  {
    name: "without output-token-variable-name the permission check cannot read the token and fails the request",
    edit: (xml) => must(xml, xml.replace(/ output-token-variable-name="[^"]*"/, "")),
    operation: "upload-timesheets",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 200,
    edited: 500,
  },
  {
    name: "another audience refuses the genuine token",
    edit: (xml) => must(xml, xml.replace(/<audience>[^<]*<\/audience>/, "<audience>https://reports.exampleco.com/api</audience>")),
    operation: "upload-timesheets",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 200,
    edited: 401,
  },
  {
    name: "keys from another tenant's OpenID configuration refuse the genuine token",
    edit: (xml) =>
      must(
        xml,
        xml.replace(
          /https:\/\/[^/"]+\/\.well-known\/openid-configuration/,
          "https://exampleco-foreign.eu.auth0.com/.well-known/openid-configuration",
        ),
      ),
    operation: "upload-timesheets",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 200,
    edited: 401,
  },
  {
    name: "no clock skew refuses a token that expired seconds ago",
    edit: (xml) => must(xml, xml.replace(/clock-skew="\d+"/, 'clock-skew="0"')),
    operation: "upload-timesheets",
    request: async (f) => bearer(await withClaims(f, { exp: now() - Math.max(1, Math.floor(f.skew / 2)) })),
    asRendered: 200,
    edited: 401,
  },
  {
    name: "a permission refusal answering 401 hides the difference between no permission and no token",
    edit: (xml) => must(xml, xml.replaceAll('<set-status code="403"', '<set-status code="401"')),
    operation: "upload-timesheets",
    request: async (f) => bearer(await withClaims(f, { scope: "read:timesheets" })),
    asRendered: 403,
    edited: 401,
  },
];

async function sendTo(f: Fixture, operation: Mutation["operation"], request: TestRequest, gateway = f.gateway) {
  if (typeof operation === "string") return send(f, operation, request, gateway);
  return sendRaw(gateway, operation.method, operation.urlTemplate, request);
}

describe("the validate-jwt model follows the XML it is given", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(loadStackSpec("dev"));
  });
  afterAll(() => stopFixture(f));

  test.each(mutations)("$name", async ({ edit, options, operation, request, asRendered, edited }) => {
    const sent = await request(f);
    const rendered = gatewayFor(f.spec, f.fetch, { ...options, edit: undefined, operationPolicies: undefined });
    expect((await sendTo(f, operation, sent, rendered)).status).toBe(asRendered);
    const editedGateway = gatewayFor(f.spec, f.fetch, { ...options, edit });
    expect((await sendTo(f, operation, sent, editedGateway)).status).toBe(edited);
  });

  test("an on-error section without the challenge answers 401 without WWW-Authenticate", async () => {
    const edited = gatewayFor(f.spec, f.fetch, {
      edit: (xml) => must(xml, xml.replace(/(<on-error>\s*<base\/>\s*)<choose>[\s\S]*<\/choose>/, "$1")),
    });
    const response = await send(f, "upload-timesheets", {}, edited);
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toBeUndefined();
    expect((await send(f, "upload-timesheets", {})).headers["www-authenticate"]).toEqual(["Bearer"]);
  });

  test("a service-level on-error with return-response drops the API's challenge (the outermost scope runs first)", async () => {
    const servicePolicyXml =
      '<policies><inbound/><backend/><outbound/><on-error><return-response><set-status code="401" reason="Unauthorized"/></return-response></on-error></policies>';
    const response = await send(
      f,
      "upload-timesheets",
      bearer(await withClaims(f, { exp: now() - 3600 })),
      gatewayFor(f.spec, f.fetch, { servicePolicyXml }),
    );
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toBeUndefined();
    // A service policy that only passes through (`<base/>`-free sections) keeps it.
    const passing = gatewayFor(f.spec, f.fetch, { servicePolicyXml: "<policies><inbound/><backend/><outbound/><on-error/></policies>" });
    const kept = await send(f, "upload-timesheets", bearer(await withClaims(f, { exp: now() - 3600 })), passing);
    expect(kept.headers["www-authenticate"]).toEqual(['Bearer error="invalid_token"']);
  });

  test("several values of WWW-Authenticate are separate header lines; of another header, one comma-separated line", async () => {
    const edit = (xml: string): string =>
      must(
        xml,
        xml.replace(
          "<value>Bearer</value>",
          '<value>Bearer</value><value>Basic realm="timesheets"</value></set-header><set-header name="X-Reasons" exists-action="override"><value>a</value><value>b</value>',
        ),
      );
    const response = await send(f, "upload-timesheets", {}, gatewayFor(f.spec, f.fetch, { edit }));
    expect(response.headers["www-authenticate"]).toEqual(["Bearer", 'Basic realm="timesheets"']);
    expect(response.headers["x-reasons"]).toEqual(["a,b"]);
  });

  test("named values are substituted after parsing: a value holding markup stays a value", async () => {
    const edit = (xml: string): string => must(xml, xml.replace(/<audience>[^<]*<\/audience>/, "<audience>{{audience}}</audience>"));
    const genuine = gatewayFor(f.spec, f.fetch, { edit, namedValues: { audience: f.spec.api.identifier } });
    expect((await send(f, "upload-timesheets", bearer(f.importJobToken), genuine)).status).toBe(200);
    // Substituted into the raw XML, this would close <audience> and add a second, attacker-chosen one.
    const injected = `https://reports.exampleco.com/api</audience><audience>${f.spec.api.identifier}`;
    const markup = gatewayFor(f.spec, f.fetch, { edit, namedValues: { audience: injected } });
    expect((await send(f, "upload-timesheets", bearer(f.importJobToken), markup)).status).toBe(401);
  });

  test("a policy element outside the modelled subset is refused, not ignored", () => {
    const edit = (xml: string): string => xml.replace("<base/>", '<base/><rate-limit calls="10" renewal-period="60"/>');
    expect(() => gatewayFor(f.spec, f.fetch, { edit })).toThrow(/rate-limit> is outside the modelled subset/);
  });

  test("a policy naming an undefined named value is refused", () => {
    const edit = (xml: string): string =>
      xml.replace("<openid-config", "<issuer-signing-keys><key>{{missing}}</key></issuer-signing-keys><openid-config");
    expect(() => gatewayFor(f.spec, f.fetch, { edit })).toThrow(/\{\{missing\}\}/);
  });
});
