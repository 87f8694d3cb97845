import type { TenantSpec } from "../../../infra/config/spec";
import { PASSWORD_POLICIES } from "../../../infra/config/schema";
import { requiredCharacterTypes } from "../../../infra/config/password-options";
import { ABSENT, PRESENT, difference, sorted, type Finding, type Severity, type ShownValue } from "../findings";
import type { LiveClient, LiveConnection } from "../../auth0/model";
import { restore } from "../../fixes";
import { defineCheck } from "./check";
import { managedUserApplicationClients } from "./user-applications";
import { identifyImportJob } from "./import-job";

export const connectionResource = (spec: TenantSpec): string => `connection ${spec.connection.name}`;

/** A weaker password policy than declared is a security drift; a stronger one only surprises users. */
function passwordPolicySeverity(expected: string, actual: string | undefined): Severity {
  const rank = (policy: string | undefined): number => (PASSWORD_POLICIES as readonly (string | undefined)[]).indexOf(policy);
  return rank(actual) < rank(expected) ? "high" : "low";
}

const PASSWORD_OPTIONS_FIX = "declare timesheets:passwordOptions for this stack, or";

/**
 * The password rules, in whichever model the spec declares. A connection in the other model is
 * a finding of its own: its rules cannot be compared with the declared ones, only replaced.
 */
export function passwordFindings(spec: TenantSpec, live: LiveConnection): Finding[] {
  const resource = connectionResource(spec);
  const declared = spec.connection;
  if (declared.passwordOptions === undefined) {
    const expected = declared.passwordPolicy ?? "good";
    if (live.passwordOptions !== undefined) {
      return [
        {
          severity: "medium",
          kind: "connection.password-model",
          resource: `${resource}: password rules`,
          expected: `passwordPolicy ${expected} (legacy model)`,
          actual: "password_options (current model)",
          fix: `${PASSWORD_OPTIONS_FIX} ${restore(spec, "to set the legacy policy back")}`,
        },
      ];
    }
    if (live.passwordPolicy === expected) return [];
    return [
      {
        severity: passwordPolicySeverity(expected, live.passwordPolicy),
        kind: "connection.password-policy",
        resource: `${resource}: password policy`,
        expected,
        actual: live.passwordPolicy ?? null,
        fix: restore(spec),
      },
    ];
  }
  const options = declared.passwordOptions;
  if (live.passwordOptions === undefined) {
    return [
      {
        severity: "high",
        kind: "connection.password-model",
        resource: `${resource}: password rules`,
        expected: "password_options (current model)",
        actual: live.passwordPolicy === undefined ? ABSENT : `passwordPolicy ${live.passwordPolicy} (legacy model)`,
        fix: `${restore(spec)} to set password_options`,
      },
    ];
  }
  const actual = live.passwordOptions;
  // Each rule, and whether the live value is the weaker one: weaker is high, stronger only surprises users.
  const rules: Array<[string, string, ShownValue, ShownValue, boolean]> = [
    ["min-length", "minimum length", options.minLength, actual.minLength ?? null, (actual.minLength ?? 0) < options.minLength],
    [
      "character-types",
      "character types",
      [...options.characterTypes],
      [...actual.characterTypes],
      requiredCharacterTypes({ characterTypes: actual.characterTypes, characterTypeRule: actual.characterTypeRule ?? "all" }) <
        requiredCharacterTypes(options),
    ],
    [
      "character-type-rule",
      "character type rule",
      options.characterTypeRule,
      actual.characterTypeRule ?? null,
      actual.characterTypeRule !== "all",
    ],
    [
      "identical-characters",
      "identical characters",
      options.identicalCharacters,
      actual.identicalCharacters ?? null,
      actual.identicalCharacters !== "block",
    ],
    [
      "sequential-characters",
      "sequential characters",
      options.sequentialCharacters,
      actual.sequentialCharacters ?? null,
      actual.sequentialCharacters !== "block",
    ],
    ["history", "password history", options.historySize, actual.historySize, actual.historySize < options.historySize],
    ["dictionary", "dictionary check", options.dictionary, actual.dictionary, !actual.dictionary],
    ["profile-data", "profile data check", options.profileData, actual.profileData, !actual.profileData],
  ];
  return rules.flatMap(([kind, label, expected, value, weaker]) =>
    same(expected, value)
      ? []
      : [
          {
            severity: weaker ? ("high" as const) : ("low" as const),
            kind: `connection.password-${kind}`,
            resource: `${resource}: password ${label}`,
            expected,
            actual: value,
            fix: restore(spec),
          },
        ],
  );
}

const same = (a: ShownValue, b: ShownValue): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;

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
  findings.push(...passwordFindings(spec, live));
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

/** The program's list of enabled clients is authoritative: the import job and the applications people sign in through. */
export function enabledClientFindings(
  spec: TenantSpec,
  live: LiveConnection | undefined,
  enabledClients: readonly string[],
  job: LiveClient | undefined,
  clients: readonly LiveClient[],
  userApps: readonly LiveClient[] = [],
): Finding[] {
  // A missing connection is reported once, by the connection check.
  if (live === undefined) return [];
  const resource = `${connectionResource(spec)}: enabled clients`;
  const expected = [job, ...userApps].flatMap((client) => (client === undefined ? [] : [client.clientId]));
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
    enabledClientFindings(
      spec,
      live.connection,
      live.enabledClients,
      identifyImportJob(spec, live.clients, live.grants).job,
      live.clients,
      managedUserApplicationClients(spec, live.clients, live.grants),
    ),
);
