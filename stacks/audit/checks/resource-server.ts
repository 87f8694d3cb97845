import type { ApiSpec, TenantSpec } from "../../../infra/config/spec";
import { ABSENT, PRESENT, difference, type Finding, type Severity, type ShownValue } from "../findings";
import type { LiveResourceServer } from "../../auth0/model";
import { restore } from "../../fixes";
import { defineCheck } from "./check";

/** Auth0 omits `token_dialect` when it is the default. */
const DEFAULT_TOKEN_DIALECT = "access_token";

export const apiResource = (api: ApiSpec): string => `API ${api.identifier}`;

const restoreSpec = (spec: TenantSpec): string => restore(spec, "to restore what the spec declares");

interface Setting {
  readonly kind: string;
  readonly label: string;
  readonly severity: Severity;
  /** Undefined: the stack does not declare the setting, and the program leaves Auth0's alone. */
  readonly expected: (api: ApiSpec) => ShownValue | undefined;
  readonly actual: (live: LiveResourceServer) => ShownValue;
}

// Each setting the program declares on the resource server, and what a change to it costs:
// the signing algorithm and the client policy decide who can get a token and how it is
// checked; the profile, RBAC and lifetime change what a token says; the name is cosmetic.
const SETTINGS: readonly Setting[] = [
  {
    kind: "api.signing-alg",
    label: "signing algorithm",
    severity: "high",
    expected: (a) => a.signingAlg,
    actual: (l) => l.signingAlg ?? null,
  },
  {
    kind: "api.offline-access",
    label: "offline access",
    severity: "high",
    expected: (a) => a.allowOfflineAccess,
    actual: (l) => l.allowOfflineAccess ?? false,
  },
  {
    kind: "api.client-policy",
    label: "client access policy",
    severity: "high",
    expected: (a) => a.clientPolicy,
    actual: (l) => l.clientPolicy ?? null,
  },
  {
    // Who may get user tokens: "allow_all" lets any application of the tenant get one for any user.
    kind: "api.user-policy",
    label: "user access policy",
    severity: "high",
    expected: (a) => a.userPolicy,
    actual: (l) => l.userPolicy ?? null,
  },
  {
    kind: "api.token-profile",
    label: "token profile (dialect)",
    severity: "medium",
    expected: (a) => a.tokenDialect,
    actual: (l) => l.tokenDialect ?? DEFAULT_TOKEN_DIALECT,
  },
  {
    kind: "api.rbac",
    label: "RBAC (enforce policies)",
    severity: "medium",
    expected: (a) => a.enforcePolicies,
    actual: (l) => l.enforcePolicies ?? false,
  },
  {
    kind: "api.token-lifetime",
    label: "token lifetime (s)",
    severity: "medium",
    expected: (a) => a.tokenLifetime,
    actual: (l) => l.tokenLifetime ?? null,
  },
  { kind: "api.name", label: "name", severity: "low", expected: (a) => a.name, actual: (l) => l.name ?? null },
];

export function resourceServerFindings(spec: TenantSpec, live: LiveResourceServer | undefined): Finding[] {
  const resource = apiResource(spec.api);
  if (live === undefined) {
    return [
      {
        severity: "high",
        kind: "api.missing",
        resource,
        expected: PRESENT,
        actual: ABSENT,
        fix: `${restoreSpec(spec)}; every token for the API fails until it exists`,
      },
    ];
  }
  return SETTINGS.flatMap((setting) => {
    const expected = setting.expected(spec.api);
    const actual = setting.actual(live);
    if (expected === undefined || expected === actual) return [];
    return [
      {
        severity: setting.severity,
        kind: setting.kind,
        resource: `${resource}: ${setting.label}`,
        expected,
        actual,
        fix: restoreSpec(spec),
      },
    ];
  });
}

export function permissionFindings(spec: TenantSpec, live: LiveResourceServer | undefined): Finding[] {
  // A missing API is reported once, by the resource server check.
  if (live === undefined) return [];
  const declared = new Map(spec.api.permissions.map((p) => [p.name, p.description]));
  const actual = new Map(live.permissions.map((p) => [p.name, p.description]));
  const findings: Finding[] = [];
  for (const name of difference(declared.keys(), actual.keys())) {
    findings.push({
      severity: "medium",
      kind: "permission.missing",
      resource: `permission ${name}`,
      expected: PRESENT,
      actual: ABSENT,
      fix: `${restoreSpec(spec)}; tokens cannot carry ${name} until then`,
    });
  }
  for (const name of difference(actual.keys(), declared.keys())) {
    findings.push({
      severity: "medium",
      kind: "permission.unmanaged",
      resource: `permission ${name}`,
      expected: ABSENT,
      actual: PRESENT,
      fix: `add it to the stack's permissions if it is wanted; otherwise ${restore(spec, "removes it (the permission set is managed as a whole)")}`,
    });
  }
  for (const [name, description] of declared) {
    const liveDescription = actual.get(name);
    if (actual.has(name) && liveDescription !== description) {
      findings.push({
        severity: "low",
        kind: "permission.description",
        resource: `permission ${name}: description`,
        expected: description,
        actual: liveDescription ?? null,
        fix: restoreSpec(spec),
      });
    }
  }
  return findings;
}

export const resourceServerCheck = defineCheck("API settings", ["resourceServer"], ({ spec }, live) =>
  resourceServerFindings(spec, live.resourceServer),
);

export const permissionsCheck = defineCheck("permissions", ["resourceServer"], ({ spec }, live) =>
  permissionFindings(spec, live.resourceServer),
);
