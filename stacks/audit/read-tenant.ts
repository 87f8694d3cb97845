import { ManagementError, ManagementTimeoutError, type ManagementClient } from "auth0";
import { liveClient, liveConnection, liveGrant, liveResourceServer, liveUser } from "./from-auth0";
import type { LiveConnection, LivePart, LiveTenant, LiveUser, ReadResult, TenantSnapshot } from "./live-tenant";
import { BudgetSpent, WriteRefused } from "./management";
import { collectPages } from "./pages";
import { emailsToLookUp, type AuditTarget } from "./target";

/** The Management API scope each part needs: the auditor's minimal, read-only grant. */
export const REQUIRED_SCOPES: Record<LivePart, string> = {
  resourceServer: "read:resource_servers",
  clients: "read:clients",
  grants: "read:client_grants",
  connection: "read:connections",
  enabledClients: "read:connections",
  usersByEmail: "read:users",
};

const PART_LABEL: Record<LivePart, string> = {
  resourceServer: "GET /api/v2/resource-servers/{identifier}",
  clients: "GET /api/v2/clients",
  grants: "GET /api/v2/client-grants",
  connection: "GET /api/v2/connections?name=",
  enabledClients: "GET /api/v2/connections/{id}/clients",
  usersByEmail: "GET /api/v2/users-by-email",
};

// The fields the checks compare, and nothing else: smaller answers, no secrets in memory.
const CLIENT_FIELDS = "client_id,name,app_type,grant_types";
const CONNECTION_FIELDS = "id,name,strategy,options";
const USER_FIELDS = "user_id,email,identities";
/** The largest page Auth0 serves: fewer calls for a big tenant. */
const PAGE_SIZE = 100;

export interface ReadOptions {
  /** Aborted when the audit's time budget is spent. */
  readonly signal: AbortSignal;
  /** How the budget is described in a message, e.g. "--timeout 60". */
  readonly budget: string;
}

function failure<T>(part: LivePart, error: unknown, options: ReadOptions): ReadResult<T> {
  const where = PART_LABEL[part];
  // The SDK wraps what our fetch throws; the cause says what really happened.
  const cause = error instanceof ManagementError ? error.cause : undefined;
  if (cause instanceof WriteRefused) throw cause;
  if (cause instanceof BudgetSpent) return { ok: false, problem: { part, message: `${where}: ${cause.message} (${options.budget})` } };
  if (options.signal.aborted)
    return { ok: false, problem: { part, message: `${where}: no answer within the time budget (${options.budget})` } };
  if (error instanceof ManagementError && error.statusCode === 403) {
    // Auth0 says which scope it wanted ("Insufficient scope, expected any of: read:clients").
    const said = /expected (?:any of|all of)?:?\s*([\w:,\s]+)/i
      .exec(JSON.stringify(error.body ?? ""))?.[1]
      ?.split(/[,\s]+/)
      .find((s) => s.includes(":"));
    const missingScope = said ?? REQUIRED_SCOPES[part];
    return { ok: false, problem: { part, missingScope, message: `${where}: 403 Forbidden, the auditor lacks ${missingScope}` } };
  }
  if (error instanceof ManagementError) {
    const detail = typeof error.body === "object" && error.body !== null && "message" in error.body ? String(error.body.message) : "";
    const retried = error.statusCode === 429 || (error.statusCode ?? 0) >= 500 ? " (still failing after the retries)" : "";
    return { ok: false, problem: { part, message: `${where}: ${error.statusCode ?? "no status"}${detail ? ` ${detail}` : ""}${retried}` } };
  }
  if (error instanceof ManagementTimeoutError) return { ok: false, problem: { part, message: `${where}: timed out` } };
  return { ok: false, problem: { part, message: `${where}: ${error instanceof Error ? error.message : String(error)}` } };
}

/**
 * Settles one part. The SDK sleeps between retries without watching the abort signal, so the
 * budget is also raced here: an audit ends on time even while a retry is waiting.
 */
async function settle<T>(part: LivePart, read: () => Promise<T>, options: ReadOptions): Promise<ReadResult<T>> {
  const budgetSpent = new Promise<never>((_resolve, reject) => {
    if (options.signal.aborted) reject(options.signal.reason);
    options.signal.addEventListener("abort", () => reject(options.signal.reason), { once: true });
  });
  try {
    return { ok: true, value: await Promise.race([read(), budgetSpent]) };
  } catch (error) {
    return failure<T>(part, error, options);
  }
}

const notFound = (error: unknown): boolean => error instanceof ManagementError && error.statusCode === 404;

/**
 * Reads what the target's checks need, each kind of object with as few calls as Auth0 allows,
 * all in parallel but the enabled clients (which need the connection's id).
 */
export async function readTenant(client: ManagementClient, target: AuditTarget, options: ReadOptions): Promise<TenantSnapshot> {
  const { spec } = target;
  const request = { abortSignal: options.signal };

  const resourceServer = settle(
    "resourceServer",
    async () => {
      try {
        return liveResourceServer(await client.resourceServers.get(spec.api.identifier, {}, request));
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    options,
  );

  const clients = settle(
    "clients",
    async () =>
      (
        await collectPages(
          await client.clients.list({ fields: CLIENT_FIELDS, include_fields: true, per_page: PAGE_SIZE, include_totals: true }, request),
        )
      ).map(liveClient),
    options,
  );

  const grants = settle(
    "grants",
    async () => (await collectPages(await client.clientGrants.list({ take: PAGE_SIZE }, request))).map(liveGrant),
    options,
  );

  const connection = settle(
    "connection",
    async (): Promise<LiveConnection | undefined> => {
      const found = await collectPages(
        await client.connections.list(
          { name: spec.connection.name, fields: CONNECTION_FIELDS, include_fields: true, take: PAGE_SIZE },
          request,
        ),
      );
      const document = found.find((c) => c.name === spec.connection.name);
      return document === undefined ? undefined : liveConnection(document);
    },
    options,
  );

  const enabledClients = connection.then(async (read): Promise<ReadResult<readonly string[]>> => {
    if (!read.ok) return { ok: false, problem: { ...read.problem, part: "enabledClients" } };
    const id = read.value?.id;
    if (id === undefined) return { ok: true, value: [] };
    return settle(
      "enabledClients",
      async () => (await collectPages(await client.connections.clients.get(id, { take: PAGE_SIZE }, request))).map((c) => c.client_id),
      options,
    );
  });

  const usersByEmail = settle(
    "usersByEmail",
    async () => {
      const emails = emailsToLookUp(target);
      const found = await Promise.all(
        emails.map(
          async (email) =>
            [
              email,
              (await client.users.listUsersByEmail({ email, fields: USER_FIELDS, include_fields: true }, request)).map(liveUser),
            ] as const,
        ),
      );
      return new Map<string, readonly LiveUser[]>(found);
    },
    options,
  );

  const [rs, cl, gr, co, ec, us] = await Promise.all([resourceServer, clients, grants, connection, enabledClients, usersByEmail]);
  return { resourceServer: rs, clients: cl, grants: gr, connection: co, enabledClients: ec, usersByEmail: us } satisfies {
    [K in LivePart]: ReadResult<LiveTenant[K]>;
  };
}
