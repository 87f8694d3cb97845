import type { LocalMode } from "../../local/local-mode";

// The load half of `npm run bench:local`: `npm run local -- --serve-only` (its tenant file
// written after every change) under eight concurrent clients over HTTPS, for a few seconds
// each: acknowledged writes (new resource servers, as the deployer), tokens (client
// credentials) and reads (one resource server). The clients run in the same process as the
// servers, so the figures are a lower bound of what separate clients would see.

export const CLIENTS = 8;
const SECONDS = 3;

export interface LoadFigures {
  readonly label: string;
  readonly ok: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** `CLIENTS` loops sending `request` for `SECONDS`; what was acknowledged (2xx) per second, and the latencies. */
async function load(label: string, request: (client: number, sequence: number) => Promise<Response>): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let sequence = 0; performance.now() < until; sequence += 1) {
        const sent = performance.now();
        const response = await request(client, sequence);
        await response.arrayBuffer();
        if (response.ok) latencies.push(performance.now() - sent);
        else failed += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    label,
    ok: latencies.length,
    failed,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

export async function measureLoad(local: LocalMode): Promise<LoadFigures[]> {
  const origin = local.auth0.origin;
  const audience = local.auth0.standIn.managementAudience;
  const deployer = local.credentials("deployer");
  const tokenRequest = () =>
    fetch(`${origin}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: deployer.clientId,
        client_secret: deployer.clientSecret,
        audience,
      }),
    });
  const { access_token: token } = (await (await tokenRequest()).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const writes = await load("acknowledged writes (POST /api/v2/resource-servers, tenant file written each time)", (client, sequence) =>
    fetch(`${origin}/api/v2/resource-servers`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `Bench ${client}-${sequence}`, identifier: `https://bench/${client}/${sequence}` }),
    }),
  );
  const tokens = await load("tokens (POST /oauth/token, client credentials)", () => tokenRequest());
  const read = encodeURIComponent("https://bench/0/0");
  const reads = await load("reads (GET /api/v2/resource-servers/{id})", () =>
    fetch(`${origin}/api/v2/resource-servers/${read}`, { headers }),
  );
  return [writes, tokens, reads];
}

export const formatLoad = (figures: LoadFigures): string =>
  `${figures.label}: ${figures.perSecond.toFixed(0)}/s with ${CLIENTS} clients (${figures.ok} in ${SECONDS} s, ${figures.failed} refused), p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms`;
