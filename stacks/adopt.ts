import { stringify } from "yaml";
import type { AdoptionSpec, TenantSpec } from "../infra/config/spec";
import type { Clock } from "./auth0/clock";
import { auditorCredentials, type Env } from "./auth0/credentials";
import type { TenantSnapshot } from "./auth0/model";
import { readTenant } from "./auth0/read-tenant";
import { importJobGrant } from "./audit/checks/import-job";
import { hideCredentials } from "./auth0/redact";
import { openSession, WriteRefused } from "./auth0/session";
import { signIn } from "./auth0/sign-in";
import { EXIT_ERROR, isRefusal, runAsProcess } from "./exit-codes";
import { adoptionSteps, duplicateClientsFix } from "./fixes";
import { loadStackSpec, resolveStack } from "./stack-config";
import { parseCommand, scriptCommand, wholeNumber } from "./cli";

export interface AdoptionPlan {
  /** The ids to put under `timesheets:adopt`; what is absent will be created. */
  readonly adopt: AdoptionSpec;
  /** What was not found, or found ambiguously, each in a sentence. */
  readonly notes: readonly string[];
}

/**
 * Finds, in a tenant as read (every answer parsed, every list whole), the objects a stack's program declares, by
 * what the spec says they are: the API by its identifier, the import job by its name, its
 * grant by client and audience, the user store by its name. Pure.
 */
export function adoptionPlan(spec: TenantSpec, snapshot: TenantSnapshot): AdoptionPlan | { error: string } {
  const { resourceServer: api, clients, grants, connection: store } = snapshot;
  if (!api.ok || !clients.ok || !grants.ok || !store.ok) {
    const unread = [api, clients, grants, store].flatMap((part) => (part.ok ? [] : [part.problem.message]));
    return { error: `the tenant could not be read in full: ${unread.join("; ")}` };
  }
  const resourceServer = api.value;
  const connection = store.value;
  const jobs = clients.value.filter((client) => client.name === spec.importJob.name);
  const notes: string[] = [];

  if (jobs.length > 1) {
    return {
      error: `${jobs.length} clients are named "${spec.importJob.name}" (${jobs.map((j) => j.clientId).join(", ")}); ${duplicateClientsFix(
        spec,
        jobs.map((j) => j.clientId),
      )}`,
    };
  }
  const job = jobs[0];
  const grant = job === undefined ? undefined : importJobGrant(spec, job, grants.value);

  if (resourceServer === undefined) notes.push(`no API with the identifier ${spec.api.identifier}: it will be created`);
  if (job === undefined) notes.push(`no client named "${spec.importJob.name}": it will be created, with its grant`);
  else if (grant === undefined) notes.push(`the import job has no grant on ${spec.api.identifier}: it will be created`);
  if (connection === undefined) notes.push(`no connection named "${spec.connection.name}": it will be created`);
  const portal = spec.gateway?.developerPortal;
  if (portal !== undefined) {
    // Not adopted (yet): the program has no import for it. One set up by hand would be a second of the name.
    const existing = clients.value.filter((client) => client.name === portal.application.name).map((client) => client.clientId);
    notes.push(
      existing.length === 0
        ? `no client named "${portal.application.name}": the developer portal's application will be created, with its grant`
        : `the developer portal's application is never adopted: delete the client${existing.length > 1 ? "s" : ""} named "${portal.application.name}" (${existing.join(", ")}) and its grant, and the program creates its own (API Management's authorization server then gets its id and secret); kept, the audit reports portal-app.duplicated`,
    );
  }
  if (spec.testUser !== undefined)
    notes.push(
      `the test user is never adopted (its password cannot be read): delete ${spec.testUser.email} if it exists, and the program creates it`,
    );

  const adopt: AdoptionSpec = {
    ...(resourceServer && { resourceServerId: resourceServer.id }),
    ...(job && { importJobClientId: job.clientId }),
    ...(grant && { importJobGrantId: grant.id }),
    ...(connection && { connectionId: connection.id }),
  };
  return { adopt, notes };
}

/** The lines to add to `Pulumi.<stack>.yaml`, under `config:`. */
export function adoptionYaml(adopt: AdoptionSpec): string {
  return stringify({ "timesheets:adopt": adopt })
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

export interface AdoptIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Routes the Management API calls; the global fetch when absent. */
  readonly fetch?: typeof fetch;
  readonly root?: string;
  /** The system clock unless a test fakes time. */
  readonly clock?: Clock;
}

/** `npm run adopt -- --stack prod`: reads the tenant (GET only) and prints the `timesheets:adopt` block for the stack file. */
export async function main(argv: readonly string[], env: Env, io: AdoptIo): Promise<number> {
  const program = scriptCommand("adopt")
    .description("Find, read-only, the objects of a tenant set up by hand that a stack declares, and print their ids for timesheets:adopt.")
    .requiredOption("--stack <name>", "the stack that takes the tenant over")
    .option("--timeout <seconds>", "time budget, retries included", wholeNumber(1, 3600), 60)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const parsed = parseCommand<{ stack: string; timeout: number }>(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const { stack } = parsed.options;
  const timeoutSeconds = parsed.options.timeout;
  const resolved = resolveStack(stack, io.root);
  if (!resolved.ok) {
    io.stderr(resolved.message);
    return EXIT_ERROR;
  }
  let spec: TenantSpec;
  try {
    // The API is being adopted: it keeps the identifier Auth0 holds, URL or not.
    spec = loadStackSpec(stack, io.root, { adopting: true });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    io.stderr(`error: ${error.message}`);
    return EXIT_ERROR;
  }
  const credentials = auditorCredentials(stack, spec.tenant.domain, env, false);
  if (!credentials.ok) {
    io.stderr(`error: ${credentials.error}`);
    return EXIT_ERROR;
  }
  const session = openSession(spec.tenant.domain, credentials.credentials, {
    fetch: io.fetch,
    maxRetries: 4,
    budgetMs: timeoutSeconds * 1000,
    clock: io.clock,
  });
  // From here on, what is printed may quote an answer: no part of a credential goes out with it.
  const stdout = (text: string) => io.stdout(hideCredentials(text, session.credentials()));
  const stderr = (text: string) => io.stderr(hideCredentials(text, session.credentials()));
  const budget = `--timeout ${timeoutSeconds}`;
  const notSignedIn = await signIn(session, budget);
  if (notSignedIn !== undefined) {
    stderr(`error: could not get a Management API token from ${spec.tenant.domain} (${credentials.credentials.source}): ${notSignedIn}`);
    return EXIT_ERROR;
  }
  let snapshot: TenantSnapshot;
  try {
    // The test user is never adopted: no address to look up.
    const query = { apiIdentifier: spec.api.identifier, connectionName: spec.connection.name, emails: [] };
    snapshot = await readTenant(session, query, { budget });
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    stderr(`error: ${error.message}`);
    return EXIT_ERROR;
  }
  const plan = adoptionPlan(spec, snapshot);
  if ("error" in plan) {
    stderr(`error: ${plan.error}`);
    return EXIT_ERROR;
  }
  for (const note of plan.notes) stderr(`note: ${note}`);
  stderr(adoptionSteps(spec));
  stdout(adoptionYaml(plan.adopt));
  return 0;
}

if (require.main === module) {
  runAsProcess("adopt", () =>
    main(process.argv.slice(2), process.env, { stdout: (text) => console.log(text), stderr: (text) => console.error(text) }),
  );
}
