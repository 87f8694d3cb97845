import { Agent, request } from "node:http";

import { type Auth0StandIn } from "../../local/auth0/index.js";
import { startAuth0StandIn } from "../support/stand-in";
import { parseCommand, scriptCommand } from "../../stacks/cli";
import { EXIT_ERROR, EXIT_OK, runAsProcess } from "../../stacks/exit-codes";
import type { Output } from "../../stacks/terminal";

// How fast the Auth0 stand-in starts and how many requests it serves on loopback. Prints the
// figures beside their targets; exits non-zero when one is missed. Every loop is bounded by a
// request count and a deadline, and all traffic goes to 127.0.0.1.

const START_TARGET_MS = 200;
const THROUGHPUT_TARGET = 2000;
const STARTS = 20;
const REQUESTS = 20_000;
const CONCURRENCY = 32;
const DEADLINE_MS = 30_000;

interface Load {
  requests: number;
  seconds: number;
  failures: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function measureStarts(): Promise<number[]> {
  const durations: number[] = [];
  for (let n = 0; n < STARTS; n += 1) {
    const started = performance.now();
    const standIn = await startAuth0StandIn();
    durations.push(performance.now() - started);
    await standIn.close();
  }
  return durations.sort((a, b) => a - b);
}

/** Fires `total` requests from `concurrency` keep-alive workers; stops early at the deadline. */
async function load(total: number, concurrency: number, send: (agent: Agent) => Promise<number>): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let issued = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + DEADLINE_MS;
  const worker = async (): Promise<void> => {
    while (issued < total && performance.now() < deadline) {
      issued += 1;
      const status = await send(agent);
      if (status !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { requests: issued, seconds: (performance.now() - started) / 1000, failures };
}

function call(
  standIn: Auth0StandIn,
  agent: Agent,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${standIn.url}${path}`, { method, agent, headers }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

export interface BenchIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** `npm run bench:stand-in`: prints the figures beside their targets; returns 1 when one is missed. */
export async function main(argv: readonly string[], io: BenchIo): Promise<number> {
  const program = scriptCommand("bench:stand-in")
    .description(
      `Measure the local Auth0 on loopback and print the figures beside their targets: start time over ${STARTS} starts (target < ${START_TARGET_MS} ms at the 95th percentile), requests/s for reads (target >= ${THROUGHPUT_TARGET}/s), mixed reads and writes, and token issuance. Exits 1 when a target is missed.`,
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const parsed = parseCommand(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const say = (line: string): void => void io.stdout.write(`${line}\n`);
  const starts = await measureStarts();
  const standIn = await startAuth0StandIn();
  try {
    const ps256Started = performance.now();
    await (await standIn.keys()).PS256();
    const ps256Ms = performance.now() - ps256Started;
    const token = await standIn.managementToken();
    const client = await standIn.createClient({ name: "Benchmark client", app_type: "non_interactive" });
    const { identifier } = await standIn.createResourceServer({ identifier: "https://bench.example.com/api" });
    await standIn.createClientGrant({ client_id: client.client_id, audience: identifier, scope: [] });
    const authorization = { authorization: `Bearer ${token}` };

    const reads = await load(REQUESTS, CONCURRENCY, (agent) =>
      call(standIn, agent, "GET", `/api/v2/clients/${client.client_id}`, authorization),
    );
    const mixed = await load(REQUESTS, CONCURRENCY, (agent) => {
      const roll = Math.random();
      if (roll < 0.5) return call(standIn, agent, "GET", "/api/v2/client-grants?take=50", authorization);
      if (roll < 0.8) return call(standIn, agent, "GET", `/api/v2/resource-servers/${encodeURIComponent(identifier)}`, authorization);
      return call(
        standIn,
        agent,
        "PATCH",
        `/api/v2/clients/${client.client_id}`,
        { ...authorization, "content-type": "application/json" },
        JSON.stringify({ description: "bench" }),
      );
    });
    const tokenBody = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      audience: identifier,
    }).toString();
    const tokens = await load(2_000, 8, (agent) =>
      call(standIn, agent, "POST", "/oauth/token", { "content-type": "application/x-www-form-urlencoded" }, tokenBody),
    );

    const rate = (result: Load): number => result.requests / result.seconds;
    const median = percentile(starts, 0.5);
    const p95 = percentile(starts, 0.95);
    const worst = starts.at(-1) ?? Number.NaN;
    say("Auth0 stand-in benchmark (loopback, in-process client)");
    say(
      `  start (port bound, RS256 key generated): median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${worst.toFixed(1)} ms over ${STARTS} starts (target < ${START_TARGET_MS} ms)`,
    );
    say(`  PS256 key, generated on first use (first JWKS or PS256 token): ${ps256Ms.toFixed(0)} ms`);
    say(
      `  GET /api/v2/clients/{id}: ${rate(reads).toFixed(0)} requests/s (${reads.requests} requests, ${reads.failures} not 200; target >= ${THROUGHPUT_TARGET}/s)`,
    );
    say(`  mixed reads and writes: ${rate(mixed).toFixed(0)} requests/s (${mixed.requests} requests, ${mixed.failures} not 200)`);
    say(
      `  POST /oauth/token (RS256 signing): ${rate(tokens).toFixed(0)} requests/s (${tokens.requests} requests, ${tokens.failures} not 200)`,
    );

    const missed: string[] = [];
    // RSA key generation time varies with the primes it happens to search; one slow start in
    // twenty is noise, a slow 95th percentile is not.
    if (p95 >= START_TARGET_MS) missed.push(`95th-percentile start ${p95.toFixed(1)} ms`);
    if (rate(reads) < THROUGHPUT_TARGET) missed.push(`read throughput ${rate(reads).toFixed(0)}/s`);
    if (reads.failures + mixed.failures + tokens.failures > 0) missed.push("some requests were not answered 200");
    if (missed.length > 0) {
      io.stderr.write(`Targets missed: ${missed.join("; ")}\n`);
      return EXIT_ERROR;
    }
    return EXIT_OK;
  } finally {
    await standIn.close();
  }
}

if (require.main === module) {
  runAsProcess("bench:stand-in", () => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
