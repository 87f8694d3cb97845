import type { TenantSpec } from "../../../infra/config/spec";
import { ABSENT, PRESENT, difference, sorted, type Finding } from "../findings";
import { declaredSettingFindings } from "./client-settings";
import { keepOneClientFix, restore } from "../../fixes";
import type { LiveClient, LiveGrant } from "../../auth0/model";
import { defineCheck } from "./check";

export interface ImportJobIdentity {
  /** The client the program manages, as far as the tenant can tell; undefined when there is none. */
  readonly job: LiveClient | undefined;
  /** Other clients with the job's name: created out of band, or left behind by a lost state. */
  readonly duplicates: readonly LiveClient[];
}

/**
 * Finds the import job by name (its only stable mark without Pulumi's state). When several
 * clients share the name, the one holding a grant on the API is taken as the managed one,
 * because that is the one the job's tokens come from; ties go to the lowest client id so
 * the report is stable.
 */
export function identifyImportJob(spec: TenantSpec, clients: readonly LiveClient[], grants: readonly LiveGrant[]): ImportJobIdentity {
  const candidates = clients.filter((client) => client.name === spec.importJob.name).sort((a, b) => a.clientId.localeCompare(b.clientId));
  const granted = candidates.find((client) => grants.some((g) => g.clientId === client.clientId && g.audience === spec.api.identifier));
  const job = granted ?? candidates[0];
  return { job, duplicates: candidates.filter((client) => client !== job) };
}

export const jobResource = (spec: TenantSpec): string => `client "${spec.importJob.name}"`;

export const grantResource = (spec: TenantSpec): string => `grant ${spec.importJob.name} → ${spec.api.identifier}`;

export function importJobClientFindings(spec: TenantSpec, identity: ImportJobIdentity): Finding[] {
  const resource = jobResource(spec);
  const { job, duplicates } = identity;
  if (job === undefined) {
    return [
      {
        severity: "high",
        kind: "import-job.missing",
        resource,
        expected: PRESENT,
        actual: ABSENT,
        fix: restore(spec, "; the import job cannot get tokens until it exists"),
      },
    ];
  }
  const findings: Finding[] = [];
  if (duplicates.length > 0) {
    findings.push({
      severity: "medium",
      kind: "import-job.duplicated",
      resource,
      expected: "1 client",
      actual: sorted([job, ...duplicates].map((c) => c.clientId)),
      fix: keepOneClientFix(
        spec,
        "importJobClientId",
        job.clientId,
        duplicates.map((c) => c.clientId),
      ),
    });
  }
  if (job.appType !== spec.importJob.appType) {
    findings.push({
      severity: "medium",
      kind: "import-job.app-type",
      resource: `${resource}: application type`,
      expected: spec.importJob.appType,
      actual: job.appType ?? null,
      fix: restore(spec),
    });
  }
  findings.push(...clientSettingFindings(spec, job));
  const expectedGrantTypes = sorted(spec.importJob.grantTypes);
  const actualGrantTypes = sorted(job.grantTypes ?? []);
  const added = difference(actualGrantTypes, expectedGrantTypes);
  const removed = difference(expectedGrantTypes, actualGrantTypes);
  if (added.length > 0 || removed.length > 0) {
    findings.push({
      // An extra grant type opens a flow the job must never use; a missing one only breaks it.
      severity: added.length > 0 ? "high" : "medium",
      kind: "import-job.grant-types",
      resource: `${resource}: grant types`,
      expected: expectedGrantTypes,
      actual: actualGrantTypes,
      fix: restore(spec, "(a machine-to-machine job needs client_credentials only)"),
    });
  }
  return findings;
}

function clientSettingFindings(spec: TenantSpec, job: LiveClient): Finding[] {
  const resource = jobResource(spec);
  const fix = restore(spec, "to restore what the spec declares");
  const findings: Finding[] = declaredSettingFindings("import-job", resource, spec.importJob, job, fix);
  const declared = spec.importJob.authentication;
  if (job.authMethod !== declared.method) {
    findings.push({
      // A secret that works where only a key should is the widening; between two secret methods it is a detail.
      severity: declared.method === "private_key_jwt" ? "high" : "medium",
      kind: "import-job.auth-method",
      resource: `${resource}: authentication method`,
      expected: declared.method,
      actual: job.authMethod ?? null,
      fix,
    });
  } else if (declared.method === "private_key_jwt" && job.keyCount !== declared.keys.length) {
    findings.push({
      // A key the spec does not list can sign the job's assertions.
      severity: job.keyCount > declared.keys.length ? "high" : "medium",
      kind: "import-job.keys",
      resource: `${resource}: private_key_jwt credentials`,
      expected: `${declared.keys.length} key(s)`,
      actual: `${job.keyCount} key(s)`,
      fix,
    });
  }
  return findings;
}

/** How a grant with `allow_all_scopes` shows: it holds every permission, whatever its list says. */
export const ALL_SCOPES = "* (allow_all_scopes)";

export function grantedScopes(grant: LiveGrant): string[] {
  return sorted(grant.allowAllScopes ? [...grant.scopes, ALL_SCOPES] : grant.scopes);
}

/**
 * The job's managed grant: its client-access grant on the API (Auth0 leaves `subject_type` out
 * for those). Any other grant the job holds on the API, of any subject type, is not the
 * program's: the unmanaged-grants check reports each of them.
 */
export function importJobGrant(spec: TenantSpec, job: LiveClient, grants: readonly LiveGrant[]): LiveGrant | undefined {
  return grants
    .filter((g) => g.clientId === job.clientId && g.audience === spec.api.identifier)
    .filter((g) => (g.subjectType ?? "client") === spec.importJob.grant.subjectType)
    .sort((a, b) => a.id.localeCompare(b.id))[0];
}

export function importJobGrantFindings(spec: TenantSpec, identity: ImportJobIdentity, grants: readonly LiveGrant[]): Finding[] {
  const { job } = identity;
  // Without the client there is no grant to look for; the client check reports it.
  if (job === undefined) return [];
  const resource = grantResource(spec);
  const grant = importJobGrant(spec, job, grants);
  if (grant === undefined) {
    return [
      {
        severity: "high",
        kind: "grant.missing",
        resource,
        expected: sorted(spec.importJob.grant.scopes),
        actual: ABSENT,
        fix: restore(spec, "; the job's token requests are refused until then"),
      },
    ];
  }
  const findings: Finding[] = [];
  const expected = sorted(spec.importJob.grant.scopes);
  const actual = grantedScopes(grant);
  const widened = difference(actual, expected);
  const narrowed = difference(expected, actual);
  const fix = restore(spec, `to set the grant back to ${expected.join(" ")}`);
  if (widened.length > 0)
    findings.push({ severity: "high", kind: "grant.scopes-widened", resource: `${resource}: scopes`, expected, actual, fix });
  if (narrowed.length > 0)
    findings.push({ severity: "medium", kind: "grant.scopes-narrowed", resource: `${resource}: scopes`, expected, actual, fix });
  if (grant.subjectType !== undefined && grant.subjectType !== spec.importJob.grant.subjectType) {
    findings.push({
      severity: "medium",
      kind: "grant.subject-type",
      resource: `${resource}: subject type`,
      expected: spec.importJob.grant.subjectType,
      actual: grant.subjectType,
      fix,
    });
  }
  return findings;
}

export const importJobClientCheck = defineCheck("import job client", ["clients", "grants"], ({ spec }, live) =>
  importJobClientFindings(spec, identifyImportJob(spec, live.clients, live.grants)),
);

export const importJobGrantCheck = defineCheck("import job grant", ["clients", "grants"], ({ spec }, live) =>
  importJobGrantFindings(spec, identifyImportJob(spec, live.clients, live.grants), live.grants),
);
