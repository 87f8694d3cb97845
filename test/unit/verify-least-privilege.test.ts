import { UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { leastPrivilegeRow } from "../../stacks/verify/checks/import-job";
import type { TokenAnswer } from "../../stacks/verify/token-requests";

// Verify asks for each permission outside the import job's grant; Auth0 refuses such a request
// (403 access_denied) rather than narrow it. The refusal is the passing outcome; a token that
// carries the permission fails; a refusal for any other reason proves nothing and fails too.

const issued = (scope: string | undefined): TokenAnswer => ({
  ok: true,
  accessToken: new UnsecuredJWT(scope === undefined ? {} : { scope }).encode(),
});
const refused = (status: number, error: string, description = ""): TokenAnswer => ({ ok: false, status, error, description });
const grantRefusal = (permission: string): TokenAnswer =>
  refused(403, "access_denied", `Client has not been granted scopes: ${permission}`);

describe("import-job.least-privilege", () => {
  it("passes when Auth0 refuses every permission outside the grant", () => {
    const result = leastPrivilegeRow([
      { permission: "read:timesheets", answer: grantRefusal("read:timesheets") },
      { permission: "approve:timesheets", answer: grantRefusal("approve:timesheets") },
    ]);
    expect(result).toEqual({
      check: "import-job.least-privilege",
      pass: true,
      expected: "no token carrying read:timesheets approve:timesheets",
      actual: "each refused: 403 access_denied",
    });
  });

  it("passes when a token is issued without the permission (a narrowing tenant yields none of them)", () => {
    const result = leastPrivilegeRow([{ permission: "read:timesheets", answer: issued(undefined) }]);
    expect(result.pass).toBe(true);
    expect(result.actual).toBe("none issued");
  });

  it("fails when a token carrying a permission outside the grant is issued, naming it", () => {
    const result = leastPrivilegeRow([
      { permission: "read:timesheets", answer: grantRefusal("read:timesheets") },
      { permission: "approve:timesheets", answer: issued("approve:timesheets") },
    ]);
    expect(result.pass).toBe(false);
    expect(result.actual).toBe("approve:timesheets: issued with it");
  });

  it("fails on a refusal that says nothing about the grant (bad credentials, an outage)", () => {
    for (const answer of [refused(401, "access_denied", "Unauthorized"), refused(503, "HTTP 503"), refused(429, "too_many_requests")]) {
      const result = leastPrivilegeRow([{ permission: "read:timesheets", answer }]);
      expect(result.pass, JSON.stringify(answer)).toBe(false);
      expect(result.actual).toContain(`refused: ${answer.ok ? "" : answer.status}`);
    }
  });
});
