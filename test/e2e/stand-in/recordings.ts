import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { z } from "zod";
import { type Auth0StandIn, type Connection, type Credential, type JsonObject } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { GLOBAL_CLIENT_NAME } from "../../../local/auth0/resources/global-client.js";

// Replays go-vcr cassettes of real Management API traffic against the stand-in and compares
// what comes back. Recorded ids are mapped to the ids the stand-in hands out, in URLs and
// bodies; only the fields in IGNORED_FIELDS are left out of the comparison.

const repoRoot = path.resolve(__dirname, "../../..");
/** The shared recordings; `AUTH0_RECORDINGS_DIR` replays another folder instead. */
export const DEFAULT_RECORDINGS_DIR = path.resolve(repoRoot, "../shared/auth0-recordings");
export const recordingsDir = (): string => path.resolve(process.env.AUTH0_RECORDINGS_DIR ?? DEFAULT_RECORDINGS_DIR);

/**
 * The only fields whose recorded values are not compared, each with its reason. A field listed
 * here must still be present (or absent) on both sides; only its value is masked.
 */
export const IGNORED_FIELDS: ReadonlyArray<{ path: string; reason: string }> = [
  { path: "client_secret", reason: 'generated per client; the recordings hold "[REDACTED]"' },
  { path: "signing_keys", reason: "the tenant's own signing certificate; the recorder replaced the array with one redacted entry" },
  { path: "created_at", reason: "timestamp of the recording run" },
  { path: "updated_at", reason: "timestamp of the recording run" },
  { path: "deleted_at", reason: "timestamp of the recording run" },
  {
    path: "options.configuration.*",
    reason: "Auth0 answers connection configuration encrypted under a random IV: ciphertext differs on every write",
  },
];

const cassette = z.object({
  interactions: z.array(
    z.object({
      request: z.object({ method: z.string(), url: z.string(), body: z.string().nullable().optional() }),
      response: z.object({ code: z.number(), body: z.string().nullable().optional() }),
    }),
  ),
});
export type Interaction = z.output<typeof cassette>["interactions"][number];

export interface Mismatch {
  index: number;
  request: string;
  expectedStatus: number;
  actualStatus: number;
  expected: unknown;
  actual: unknown;
}

export interface ReplayResult {
  file: string;
  inScope: number;
  matched: number;
  outOfScope: Array<{ index: number; request: string }>;
  mismatches: Mismatch[];
}

/** Every cassette under `dir`, subfolders included, as paths relative to it (`extended/X.yaml`). */
export const recordingFiles = (dir = recordingsDir()): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => name.split(path.sep).join("/"))
    .sort();

export function loadRecording(file: string, dir = recordingsDir()): Interaction[] {
  return cassette.parse(parse(readFileSync(path.join(dir, file), "utf8"))).interactions;
}

const parseJson = (text: string | null | undefined): unknown => {
  if (text === undefined || text === null || text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Masks the values of IGNORED_FIELDS (top-level paths, `*` for every key of an object). */
export function maskIgnored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskIgnored);
  if (!isObject(value)) return value;
  const copy: Record<string, unknown> = structuredClone(value);
  for (const { path: fieldPath } of IGNORED_FIELDS) {
    const parts = fieldPath.split(".");
    let targets: Array<Record<string, unknown>> = [copy];
    for (const [position, part] of parts.entries()) {
      const last = position === parts.length - 1;
      const next: Array<Record<string, unknown>> = [];
      for (const target of targets) {
        const keys = part === "*" ? Object.keys(target) : [part];
        for (const key of keys) {
          if (!(key in target)) continue;
          if (last) target[key] = "<ignored>";
          else if (isObject(target[key])) next.push(target[key] as Record<string, unknown>);
        }
      }
      targets = next;
    }
  }
  // List envelopes hold documents one level down.
  for (const [key, nested] of Object.entries(copy)) if (Array.isArray(nested)) copy[key] = nested.map(maskIgnored);
  return copy;
}

const ID_KEYS = new Set(["id", "client_id", "user_id"]);

/** Learns recorded→actual ids from the id-valued properties both answers hold at the same place. */
function learnIds(expected: unknown, actual: unknown, ids: Map<string, string>): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    expected.forEach((item, index) => learnIds(item, actual[index], ids));
    return;
  }
  if (!isObject(expected) || !isObject(actual)) return;
  for (const [key, value] of Object.entries(expected)) {
    const other = actual[key];
    if (ID_KEYS.has(key) && typeof value === "string" && typeof other === "string" && value !== other && !ids.has(value)) {
      ids.set(value, other);
    } else if (typeof value === "object") {
      learnIds(value, other, ids);
    }
  }
}

function substitute(text: string, ids: ReadonlyMap<string, string>): string {
  let result = text;
  for (const [recorded, actual] of ids) {
    result = result.split(recorded).join(actual);
    result = result.split(encodeURIComponent(recorded)).join(encodeURIComponent(actual));
  }
  return result;
}

const substituteJson = (value: unknown, ids: ReadonlyMap<string, string>): unknown =>
  value === undefined ? undefined : JSON.parse(substitute(JSON.stringify(value), ids));

/**
 * The recorded tenant's global client: the one an `is_global=true` list answered, or else the
 * client listed under the name Auth0 gives it (full answers do not say `global`).
 */
function recordedGlobalClients(interactions: readonly Interaction[]): { ids: Set<string>; byName: boolean } {
  const ids = new Set<string>();
  for (const { request, response } of interactions) {
    const url = new URL(request.url);
    if (request.method !== "GET" || url.pathname !== "/api/v2/clients" || url.searchParams.get("is_global") !== "true") continue;
    const body = parseJson(response.body);
    const listed = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.clients) ? body.clients : [];
    for (const document of listed) if (isObject(document) && typeof document.client_id === "string") ids.add(document.client_id);
  }
  return { ids, byName: ids.size === 0 };
}

/**
 * Loads what the tenant held before the recording began: clients, connections and credentials
 * that are read (alone or in a list) but never created in the file (an import test reads
 * resources made outside it), in the order the recording first shows them. The recorded
 * tenant's global client takes the place of the stand-in's, as its database connection does.
 */
async function seedPreexisting(standIn: Auth0StandIn, interactions: readonly Interaction[]): Promise<void> {
  const created = new Set<string>();
  for (const { request, response } of interactions) {
    const body = parseJson(response.body);
    if (request.method === "POST" && isObject(body)) {
      for (const key of ID_KEYS) if (typeof body[key] === "string") created.add(body[key] as string);
    }
  }
  const globalClients = recordedGlobalClients(interactions);
  const importClient = async (document: Record<string, unknown>): Promise<void> => {
    const clientId = document.client_id;
    if (typeof clientId !== "string" || created.has(clientId) || standIn.tenant.clients.has(clientId)) return;
    const isGlobal = globalClients.byName ? document.name === GLOBAL_CLIENT_NAME : globalClients.ids.has(clientId);
    const replaced = isGlobal ? standIn.tenant.globalClient() : undefined;
    if (replaced) standIn.tenant.clients.delete(replaced.client_id);
    // The recorder redacted the secret; the tenant had a real one.
    await standIn.importClient({
      ...(document as JsonObject),
      client_secret: `preexisting-secret-${clientId}`,
      ...(isGlobal ? { global: true } : {}),
    });
  };
  const importConnection = (document: Record<string, unknown>): void => {
    const { id, name } = document;
    if (typeof id !== "string" || created.has(id) || standIn.tenant.connections.has(id)) return;
    // The recorded tenant's own default database connection takes the place of the stand-in's.
    const sameName = typeof name === "string" ? standIn.tenant.connectionByName(name) : undefined;
    if (sameName) standIn.tenant.connections.delete(sameName.id);
    standIn.tenant.connections.set(id, { enabled_clients: [], ...document } as unknown as Connection);
  };
  for (const { request, response } of interactions) {
    const url = new URL(request.url);
    const { pathname } = url;
    const body = parseJson(response.body);
    if (request.method !== "GET" || response.code !== 200) continue;
    if (pathname === "/api/v2/clients" && !url.searchParams.has("fields")) {
      const listed = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.clients) ? body.clients : [];
      for (const document of listed) if (isObject(document)) await importClient(document);
    }
    if (pathname === "/api/v2/connections" && isObject(body) && Array.isArray(body.connections)) {
      for (const document of body.connections) if (isObject(document)) importConnection(document);
    }
    if (!isObject(body)) continue;
    const client = /^\/api\/v2\/clients\/([^/]+)$/.exec(pathname);
    if (client?.[1] && !url.search) await importClient(body);
    if (/^\/api\/v2\/connections\/[^/]+$/.test(pathname) && !url.search) importConnection(body);
    const credential = /^\/api\/v2\/clients\/([^/]+)\/credentials\/([^/]+)$/.exec(pathname);
    if (credential?.[1] && credential[2] && !created.has(credential[2])) {
      if (!standIn.tenant.credentials.get(credential[1])?.has(credential[2])) {
        standIn.importCredential(credential[1], body as Credential);
      }
    }
  }
}

/**
 * The kinds of Auth0 object the stand-in models, recognised from the request alone. Everything
 * else is out of scope as a whole kind (organizations, actions, tenant settings, connections of other strategies, ...); within these kinds every interaction counts,
 * whether or not the stand-in implements its endpoint.
 */
const IN_SCOPE_KINDS = new Set(["resource-servers", "clients", "client-grants", "connections", "users", "roles", "oauth/token"]);

/** Ids of connections the recording created with a strategy other than `auth0` (social, enterprise, passwordless). */
type OtherStrategyConnections = Set<string>;

export function interactionKind(
  request: Interaction["request"],
  otherConnections: OtherStrategyConnections,
): { kind: string; inScope: boolean } {
  const { pathname } = new URL(request.url);
  if (pathname === "/oauth/token") return { kind: "oauth/token", inScope: true };
  const segments = pathname.replace(/^\/api\/v2\//, "").split("/");
  const [collection = "", id] = segments;
  if (!pathname.startsWith("/api/v2/")) return { kind: pathname, inScope: false };
  if (collection === "connections") {
    const body = parseJson(request.body);
    const strategy = request.method === "POST" && id === undefined && isObject(body) ? body.strategy : undefined;
    if (typeof strategy === "string" && strategy !== "auth0") return { kind: `connections (${strategy})`, inScope: false };
    if (id !== undefined && otherConnections.has(decodeURIComponent(id))) return { kind: "connections (other strategy)", inScope: false };
  }
  return { kind: collection, inScope: IN_SCOPE_KINDS.has(collection) };
}

function rememberOtherConnection(
  request: Interaction["request"],
  response: Interaction["response"],
  otherConnections: OtherStrategyConnections,
): void {
  const { pathname } = new URL(request.url);
  const body = parseJson(request.body);
  const created = parseJson(response.body);
  if (request.method === "POST" && pathname === "/api/v2/connections" && isObject(body) && body.strategy !== "auth0" && isObject(created)) {
    if (typeof created.id === "string") otherConnections.add(created.id);
  }
}

// One stand-in per tenant domain, reset to a new tenant before each recording: a replay then
// costs its requests, not a fresh RSA key each time.
const standIns = new Map<string, Promise<Auth0StandIn>>();
const standInFor = (domain: string): Promise<Auth0StandIn> => {
  let standIn = standIns.get(domain);
  if (!standIn) {
    standIn = startAuth0StandIn({ domain });
    standIns.set(domain, standIn);
  }
  return standIn;
};

/** Closes the stand-ins replays started; call once after the last replay. */
export async function closeReplayStandIns(): Promise<void> {
  const started = [...standIns.values()];
  standIns.clear();
  await Promise.all(started.map(async (standIn) => (await standIn).close()));
}

export async function replayRecording(file: string, dir = recordingsDir()): Promise<ReplayResult> {
  const interactions = loadRecording(file, dir);
  const first = interactions[0];
  const domain = first ? new URL(first.request.url).host : "exampleco-dev.eu.auth0.com";
  const standIn = await standInFor(domain);
  standIn.reset();
  const result: ReplayResult = { file, inScope: 0, matched: 0, outOfScope: [], mismatches: [] };
  {
    await seedPreexisting(standIn, interactions);
    const token = await standIn.managementToken();
    const ids = new Map<string, string>();
    const otherConnections: OtherStrategyConnections = new Set();
    for (const [index, { request, response }] of interactions.entries()) {
      const recordedUrl = new URL(request.url);
      const label = `${request.method} ${recordedUrl.pathname}${recordedUrl.search}`;
      const { inScope } = interactionKind(request, otherConnections);
      rememberOtherConnection(request, response, otherConnections);
      if (!inScope) {
        result.outOfScope.push({ index, request: label });
        continue;
      }
      result.inScope += 1;
      // A DELETE sends its recorded body too: removing a user's roles or permissions names them in the body.
      const sendsBody = request.method !== "GET" && (request.body ?? "").trim() !== "";
      const answer = await standIn.fetch(substitute(request.url, ids), {
        method: request.method,
        headers: { authorization: `Bearer ${token}`, ...(sendsBody ? { "content-type": "application/json" } : {}) },
        ...(sendsBody ? { body: substitute(request.body ?? "", ids) } : {}),
      });
      const actual = parseJson(await answer.text());
      const expected = parseJson(response.body);
      learnIds(expected, actual, ids);
      const expectedMasked = maskIgnored(substituteJson(expected, ids));
      const actualMasked = maskIgnored(actual);
      if (answer.status === response.code && isDeepStrictEqual(expectedMasked, actualMasked)) {
        result.matched += 1;
      } else {
        result.mismatches.push({
          index,
          request: label,
          expectedStatus: response.code,
          actualStatus: answer.status,
          expected: expectedMasked,
          actual: actualMasked,
        });
      }
    }
    if (standIn.internalErrors.length > 0) throw new AggregateError([...standIn.internalErrors], `${file}: the stand-in failed internally`);
  }
  return result;
}
const percent = (part: number, whole: number): string => `${whole === 0 ? "n/a" : ((100 * part) / whole).toFixed(1)}%`;

export interface ReplayTotals {
  inScope: number;
  matched: number;
  outOfScope: number;
}

export function replayTotals(results: readonly ReplayResult[]): ReplayTotals {
  return {
    inScope: results.reduce((sum, result) => sum + result.inScope, 0),
    matched: results.reduce((sum, result) => sum + result.matched, 0),
    outOfScope: results.reduce((sum, result) => sum + result.outOfScope.length, 0),
  };
}

/** The per-recording table and the `total M/N (P%)` line, as the test and the command print them. */
export function formatReplay(results: readonly ReplayResult[]): string {
  const width = Math.max(36, ...results.map((result) => result.file.length));
  const lines = results.map(
    (result) =>
      `  ${result.file.padEnd(width)} ${String(result.matched).padStart(3)}/${String(result.inScope).padEnd(3)} ${percent(result.matched, result.inScope).padStart(6)}   out of scope: ${result.outOfScope.length}`,
  );
  const totals = replayTotals(results);
  return [
    "Auth0 stand-in conformance (matched/in-scope per recording):",
    ...lines,
    `total ${totals.matched}/${totals.inScope} (${percent(totals.matched, totals.inScope)})`,
    `  out of scope: ${totals.outOfScope}; ignored fields: ${IGNORED_FIELDS.map((field) => field.path).join(", ")}`,
  ].join("\n");
}
