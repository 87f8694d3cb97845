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
  type Fixture,
  type PolicyEdit,
  type TestRequest,
} from "../support/validate-jwt/gateway-fixture";

/**
 * The validate-jwt model reads the rendered XML, not the spec: break one element of a
 * policy and the answer changes the way API Management's documentation says it would.
 * Each case gives the request, the answer with the policies as rendered, and the answer
 * with the one edit.
 */

interface Mutation {
  readonly name: string;
  readonly edit: PolicyEdit;
  readonly operation: string;
  readonly request: (f: Fixture) => Promise<TestRequest>;
  readonly asRendered: number;
  readonly edited: number;
}

const onOperations =
  (change: (xml: string) => string): PolicyEdit =>
  (xml, scope) =>
    scope === "api" ? xml : change(xml);
const onApi =
  (change: (xml: string) => string): PolicyEdit =>
  (xml, scope) =>
    scope === "api" ? change(xml) : xml;
const must = (xml: string, changed: string): string => {
  if (changed === xml) throw new Error("the edit changed nothing: the rendered policy no longer has what it targets");
  return changed;
};

const mutations: Mutation[] = [
  {
    name: "an operation without <base/> in inbound skips the API's check: no token gets the operation's 403",
    edit: onOperations((xml) => must(xml, xml.replace(/(<inbound>\s*)<base\/>/, "$1"))),
    operation: "list-timesheets",
    request: async () => ({}),
    asRendered: 401,
    edited: 403,
  },
  {
    name: "an operation without required-claims lets the import job create timesheets",
    edit: onOperations((xml) => must(xml, xml.replace(/<required-claims>[\s\S]*<\/required-claims>/, ""))),
    operation: "create-timesheet",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 403,
    edited: 200,
  },
  {
    name: "a scope claim without the separator is compared whole, refusing a token with several permissions",
    edit: onOperations((xml) => must(xml, xml.replace(' separator=" "', ""))),
    operation: "approve-timesheet",
    request: async (f) => bearer(await f.tenant.token(await f.tenant.clientWith(f.spec.api.permissions.map((p) => p.name)))),
    asRendered: 200,
    edited: 403,
  },
  {
    name: "another audience at API scope refuses the genuine token",
    edit: onApi((xml) => must(xml, xml.replace(/<audience>[^<]*<\/audience>/, "<audience>https://reports.exampleco.com/api</audience>"))),
    operation: "upload-timesheets",
    request: async (f) => bearer(f.importJobToken),
    asRendered: 200,
    edited: 401,
  },
  {
    name: "keys from another tenant's OpenID configuration refuse the genuine token",
    edit: onApi((xml) =>
      must(
        xml,
        xml.replace(
          /https:\/\/[^/"]+\/\.well-known\/openid-configuration/,
          "https://exampleco-foreign.eu.auth0.com/.well-known/openid-configuration",
        ),
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
    name: "an operation check answering 401 hides the difference between no permission and no token",
    edit: onOperations((xml) => must(xml, xml.replace('failed-validation-httpcode="403"', 'failed-validation-httpcode="401"'))),
    operation: "upload-timesheets",
    request: async (f) => bearer(await withClaims(f, { scope: "read:timesheets" })),
    asRendered: 403,
    edited: 401,
  },
];

describe("the validate-jwt model follows the XML it is given", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(loadStackSpec("dev"));
  });
  afterAll(() => stopFixture(f));

  test.each(mutations)("$name", async ({ edit, operation, request, asRendered, edited }) => {
    const sent = await request(f);
    expect((await send(f, operation, sent)).status).toBe(asRendered);
    const editedGateway = gatewayFor(f.spec, f.fetch, { edit });
    expect((await send(f, operation, sent, editedGateway)).status).toBe(edited);
  });

  test("an on-error section without the challenge answers 401 without WWW-Authenticate", async () => {
    const edited = gatewayFor(f.spec, f.fetch, { edit: onApi((xml) => must(xml, xml.replace(/<choose>[\s\S]*<\/choose>/, ""))) });
    const response = await send(f, "upload-timesheets", {}, edited);
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toBeUndefined();
    expect((await send(f, "upload-timesheets", {})).headers["www-authenticate"]).toBe("Bearer");
  });

  test("a policy element outside the modelled subset is refused, not ignored", () => {
    const edit = onApi((xml) => xml.replace("<base/>", '<base/><rate-limit calls="10" renewal-period="60"/>'));
    expect(() => gatewayFor(f.spec, f.fetch, { edit })).toThrow(/rate-limit> is outside the modelled subset/);
  });

  test("a policy naming an undefined named value is refused", () => {
    const edit = onApi((xml) =>
      xml.replace("<openid-config", "<issuer-signing-keys><key>{{missing}}</key></issuer-signing-keys><openid-config"),
    );
    expect(() => gatewayFor(f.spec, f.fetch, { edit })).toThrow(/\{\{missing\}\}/);
  });
});
