import { ABSENT, PRESENT, difference, sorted, type Finding } from "../findings";
import type { LiveTestUserRoles } from "../../auth0/model";
import type { AuditTarget } from "../target";
import { restore } from "../../fixes";
import { defineCheck } from "./check";

/**
 * With RBAC, a user's token carries only what the user's roles hold, so the test user's role is
 * the test user's access: the role must exist as declared, hold exactly `testUserPermissions` on
 * the API (more widens what a test user may do: high), and be the test user's only role (another
 * role's permissions would reach the token too). The program's RolePermissions and UserRoles are
 * authoritative, so an update with refresh sets all of it back.
 */
export function testUserRoleFindings({ spec }: AuditTarget, roles: LiveTestUserRoles): Finding[] {
  const testUser = spec.testUser;
  const declared = testUser?.role;
  if (testUser === undefined || declared === undefined) return [];
  const resource = `role ${declared.name}`;
  const live = roles.named[0];
  if (live === undefined) {
    return [
      {
        severity: "medium",
        kind: "test-user-role.missing",
        resource,
        expected: PRESENT,
        actual: ABSENT,
        fix: restore(spec, "to recreate it and assign it; until then the test user's token carries no permission"),
      },
    ];
  }
  const findings: Finding[] = [];
  if ((live.description ?? "") !== declared.description) {
    findings.push({
      severity: "low",
      kind: "test-user-role.description",
      resource: `${resource} (${live.id}): description`,
      expected: declared.description,
      actual: live.description ?? ABSENT,
      fix: restore(spec, "to set it back"),
    });
  }
  const audience = spec.api.identifier;
  // A permission on another API is named with its API: it is wider than anything declared.
  const held = live.permissions.map((p) => (p.audience === audience ? p.name : `${p.name} (${p.audience})`));
  const widened = difference(held, declared.permissions);
  const narrowed = difference(declared.permissions, held);
  if (widened.length > 0) {
    findings.push({
      severity: "high",
      kind: "test-user-role.permissions-widened",
      resource: `${resource} (${live.id}): permissions`,
      expected: sorted(declared.permissions),
      actual: sorted(held),
      fix: restore(
        spec,
        `to remove ${widened.join(", ")}; until then the test user's token carries ${widened.length === 1 ? "it" : "them"}`,
      ),
    });
  }
  if (narrowed.length > 0) {
    findings.push({
      severity: "medium",
      kind: "test-user-role.permissions-narrowed",
      resource: `${resource} (${live.id}): permissions`,
      expected: sorted(declared.permissions),
      actual: sorted(held),
      fix: restore(
        spec,
        `to add ${narrowed.join(", ")} back; end-to-end checks that need ${narrowed.length === 1 ? "it" : "them"} fail until then`,
      ),
    });
  }
  // The test user is the one in the user store (test-user.missing says when there is none).
  for (const { user, roles: assigned } of roles.assigned.filter(({ user }) => user.connections.includes(spec.connection.name))) {
    if (!assigned.some((role) => role.id === live.id)) {
      findings.push({
        severity: "medium",
        kind: "test-user-role.unassigned",
        resource: `user ${testUser.email} (${user.userId}): roles`,
        expected: [declared.name],
        actual: sorted(assigned.map((role) => role.name)),
        fix: restore(spec, "to assign it again; until then the test user's token carries no permission"),
      });
    }
    const others = assigned.filter((role) => role.id !== live.id);
    if (others.length > 0) {
      findings.push({
        severity: "high",
        kind: "test-user-role.other-roles",
        resource: `user ${testUser.email} (${user.userId}): roles`,
        expected: [declared.name],
        actual: sorted(assigned.map((role) => `${role.name} (${role.id})`)),
        fix: restore(spec, `to remove ${others.map((role) => role.name).join(", ")}; their permissions reach the test user's token`),
      });
    }
  }
  return findings;
}

/** Needs only its own part: the role's reads begin with the test user's (users-by-email), and fail with them. */
export const testUserRoleCheck = defineCheck(
  "test user's role",
  ["testUserRoles"],
  (target, live) => testUserRoleFindings(target, live.testUserRoles),
  // Only stacks with RBAC and a test user have the role; elsewhere there is nothing to check.
  ({ spec }) => spec.testUser?.role !== undefined,
);
