import { ABSENT, PRESENT, sorted, type Finding } from "../findings";
import type { LiveUser } from "../../auth0/model";
import type { AuditTarget } from "../target";
import { deleteCommand, restore } from "../../fixes";
import { defineCheck } from "./check";

/**
 * The declared test user must exist in the user store; in prod, no user may carry an address
 * that another stack declares for its test user (a known password in the production store).
 */
export function testUserFindings(
  { spec, foreignTestUserEmails }: AuditTarget,
  usersByEmail: ReadonlyMap<string, readonly LiveUser[]>,
): Finding[] {
  const findings: Finding[] = [];
  const declared = spec.testUser?.email;
  if (declared !== undefined) {
    const users = usersByEmail.get(declared) ?? [];
    const inStore = users.filter((user) => user.connections.includes(spec.connection.name));
    // The program marks the address verified (no mail is sent to a test address).
    for (const user of inStore.filter((u) => u.emailVerified !== true)) {
      findings.push({
        severity: "low",
        kind: "test-user.email-verified",
        resource: `user ${declared} (${user.userId}): email verified`,
        expected: true,
        actual: user.emailVerified ?? null,
        fix: restore(spec),
      });
    }
    // The display name the program gives it (never Pulumi's auto-name); checked only where the answer carries one.
    for (const user of inStore.filter((u) => u.name !== undefined && u.name !== spec.testUser?.name)) {
      findings.push({
        severity: "low",
        kind: "test-user.name",
        resource: `user ${declared} (${user.userId})`,
        expected: spec.testUser?.name ?? "",
        actual: user.name ?? "",
        fix: restore(spec, "to set it back"),
      });
    }
    if (inStore.length === 0) {
      findings.push({
        severity: "low",
        kind: "test-user.missing",
        resource: `user ${declared}`,
        expected: `${PRESENT} in ${spec.connection.name}`,
        actual: users.length === 0 ? ABSENT : sorted(users.flatMap((u) => u.connections)),
        fix: restore(spec, "to recreate it; end-to-end checks that sign in as it fail until then"),
      });
    }
  }
  for (const email of foreignTestUserEmails) {
    for (const user of usersByEmail.get(email) ?? []) {
      findings.push({
        severity: "high",
        kind: "test-user.in-prod",
        resource: `user ${email} (${user.userId})`,
        expected: ABSENT,
        actual: user.connections.length === 0 ? PRESENT : sorted(user.connections),
        fix: `delete the user: ${deleteCommand(spec, `users/${encodeURIComponent(user.userId)}`, "delete:users")}; test users never belong in ${spec.stack}`,
      });
    }
  }
  return findings;
}

export const testUserCheck = defineCheck("test user", ["usersByEmail"], (target, live) => testUserFindings(target, live.usersByEmail));
