import type { TenantSpec } from "../../../infra/config/spec";
import { PASSWORD_POLICIES } from "../../../infra/config/schema";
import { ABSENT, PRESENT, difference, sorted, type Finding, type Severity } from "../findings";
import type { LiveClient, LiveConnection } from "../../auth0/model";
import { defineCheck } from "./check";
import { identifyImportJob } from "./import-job";

export const connectionResource = (spec: TenantSpec): string => `connection ${spec.connection.name}`;

const restore = (spec: TenantSpec): string => `run \`pulumi up --stack ${spec.stack}\``;

/** A weaker password policy than declared is a security drift; a stronger one only surprises users. */
function passwordPolicySeverity(expected: string, actual: string | undefined): Severity {
  const rank = (policy: string | undefined): number => (PASSWORD_POLICIES as readonly (string | undefined)[]).indexOf(policy);
  return rank(actual) < rank(expected) ? "high" : "low";
}

export function connectionFindings(spec: TenantSpec, live: LiveConnection | undefined): Finding[] {
  const resource = connectionResource(spec);
  const declared = spec.connection;
  if (live === undefined) {
    return [
      {
        severity: "high",
        kind: "connection.missing",
        resource,
        expected: PRESENT,
        actual: ABSENT,
        fix: `${restore(spec)}; no one can sign in until it exists (its users are gone if it was deleted)`,
      },
    ];
  }
  const findings: Finding[] = [];
  if (live.strategy !== declared.strategy) {
    findings.push({
      severity: "high",
      kind: "connection.strategy",
      resource: `${resource}: strategy`,
      expected: declared.strategy,
      actual: live.strategy,
      fix: `the connection with this name is not the user store; ${restore(spec)} after renaming or removing it`,
    });
  }
  if (live.passwordPolicy !== declared.passwordPolicy) {
    findings.push({
      severity: passwordPolicySeverity(declared.passwordPolicy, live.passwordPolicy),
      kind: "connection.password-policy",
      resource: `${resource}: password policy`,
      expected: declared.passwordPolicy,
      actual: live.passwordPolicy ?? null,
      fix: restore(spec),
    });
  }
  if (live.bruteForceProtection !== declared.bruteForceProtection) {
    findings.push({
      severity: "high",
      kind: "connection.brute-force-protection",
      resource: `${resource}: brute force protection`,
      expected: declared.bruteForceProtection,
      actual: live.bruteForceProtection ?? false,
      fix: restore(spec),
    });
  }
  const disableSignup = live.disableSignup ?? false;
  if (disableSignup !== declared.disableSignup) {
    findings.push({
      // Open sign-ups let anyone create an account; closed ones only stop new sign-ups.
      severity: disableSignup ? "low" : "high",
      kind: "connection.disable-signup",
      resource: `${resource}: disable sign-ups`,
      expected: declared.disableSignup,
      actual: disableSignup,
      fix: restore(spec),
    });
  }
  return findings;
}

/** The program's list of enabled clients is authoritative: the import job, and nothing else. */
export function enabledClientFindings(
  spec: TenantSpec,
  live: LiveConnection | undefined,
  enabledClients: readonly string[],
  job: LiveClient | undefined,
  clients: readonly LiveClient[],
): Finding[] {
  // A missing connection is reported once, by the connection check.
  if (live === undefined) return [];
  const resource = `${connectionResource(spec)}: enabled clients`;
  const expected = job === undefined ? [] : [job.clientId];
  const extra = difference(enabledClients, expected);
  const missing = difference(expected, enabledClients);
  const name = (id: string): string => {
    const client = clients.find((c) => c.clientId === id);
    return client === undefined ? id : `${client.name} (${id})`;
  };
  const findings: Finding[] = [];
  if (extra.length > 0) {
    findings.push({
      severity: "high",
      kind: "connection.unmanaged-clients",
      resource,
      expected: expected.map(name),
      actual: sorted(enabledClients).map(name),
      fix: `${restore(spec)} to disable ${extra.map(name).join(", ")} on the connection (the enabled-clients list is managed as a whole)`,
    });
  }
  if (missing.length > 0) {
    findings.push({
      severity: "medium",
      kind: "connection.import-job-disabled",
      resource,
      expected: expected.map(name),
      actual: sorted(enabledClients).map(name),
      fix: restore(spec),
    });
  }
  return findings;
}

export const connectionCheck = defineCheck("connection settings", ["connection"], ({ spec }, live) =>
  connectionFindings(spec, live.connection),
);

export const enabledClientsCheck = defineCheck(
  "connection enabled clients",
  ["connection", "enabledClients", "clients", "grants"],
  ({ spec }, live) =>
    enabledClientFindings(spec, live.connection, live.enabledClients, identifyImportJob(spec, live.clients, live.grants).job, live.clients),
);
