import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main as adoptMain } from "../../stacks/adopt";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { fillTwoPages, hostileFetch, type Rule } from "./audit-answers";
import { auditorEnv, jsonReport, runAudit, seedTenant } from "./audit-seed";
import { runVerify, seedForVerify, type VerifySeed } from "./verify-seed";
import { Agent } from "undici";

// Answers a proxy on the tenant's own address can give, each standing for a class: a token that
// is not one, an answer nested without end, a list that never ends, a 404 that is not Auth0's,
// an answer that arrived but could not be read. Audit, adopt and verify read them one way.

const dev = loadStackSpec("dev");
const RS = `/api/v2/resource-servers/${encodeURIComponent(dev.api.identifier)}`;
const HTML = "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>";
const tokenAnswer = (accessToken: unknown): Rule["fault"] => ({
  kind: "answer",
  status: 200,
  headers: { "content-type": "application/json" },
  text: JSON.stringify({ access_token: accessToken, token_type: "Bearer", expires_in: 86400 }),
});

let standIn: Auth0StandIn;
let env: Record<string, string>;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
});
afterAll(async () => standIn.close());
beforeEach(async () => {
  standIn.reset();
  await seedTenant(standIn, dev);
  env = await auditorEnv(standIn);
});

async function audit(fetchFn: typeof fetch, timeout = 60) {
  const run = await runAudit(["--stack", "dev", "--format", "json", "--timeout", String(timeout)], env, fetchFn);
  const [stack] = jsonReport(run).stacks;
  return { ...run, stack, reasons: stack?.notChecked.flatMap((n) => n.reasons) ?? [] };
}

async function adopt(fetchFn: typeof fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await adoptMain(["--stack", "dev", "--timeout", "60"], env, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    fetch: fetchFn,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Every request's path, as sent. */
function counted(fetchFn: typeof fetch) {
  const paths: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return fetchFn(input, init);
  };
  return { fetch: wrapped, paths };
}

describe("a credential is never printed", () => {
  const bad = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdWRpdG9yIn0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu\r\nX-Injected: yes`;

  it("audit: an access_token a header cannot carry is said as such, and no part of it is in the report", async () => {
    const run = await audit(hostileFetch(standIn.fetch, [{ path: "/oauth/token", fault: tokenAnswer(bad) }]).fetch);
    expect(run.code).toBe(1);
    expect(run.stack?.error).toMatch(/POST \/oauth\/token: the token answer's access_token holds characters a token cannot/);
    for (const part of ["c2lnbmF0dXJlLXBhcnQt", "eyJzdWIiOiJhdWRpdG9y", "X-Injected"]) expect(run.stdout + run.stderr).not.toContain(part);
  });

  it("adopt: the same answer is exit 1, said, and no part of the token is printed", async () => {
    const run = await adopt(hostileFetch(standIn.fetch, [{ path: "/oauth/token", fault: tokenAnswer(bad) }]).fetch);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("holds characters a token cannot");
    expect(run.stdout + run.stderr).not.toContain("c2lnbmF0dXJl");
  });
});

/** `{"a":{"a":...1}}`, `depth` levels: built as text, as a proxy would send it (no walker could build it). */
const deepJson = (depth: number): string => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** The first page of clients with `extra` (JSON text) put in its first client, on every read of that page. */
function clientsWith(extra: (read: number) => string): typeof fetch {
  let reads = 0;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const real = await standIn.fetch(input, init);
    if (url.pathname !== "/api/v2/clients" || url.searchParams.get("page") !== "0") return real;
    const text = (await real.text()).replace('"clients":[{', `"clients":[{"client_metadata":${extra(reads++)},`);
    return new Response(text, { status: 200, headers: { "content-type": "application/json" } });
  };
}

describe("no answer crashes a reader, however deep", () => {
  it("audit: a client whose client_metadata nests 100,000 levels in a list read twice is 'not checked', exit 1", async () => {
    await fillTwoPages(standIn);
    const run = await audit(clientsWith(() => deepJson(100_000)));
    expect(run.code).toBe(1);
    expect(run.reasons).toContain(
      "GET /api/v2/clients: the answer nests more than 32 levels deep, deeper than any answer Auth0 gives; not read",
    );
  });

  it("audit: two reads that differ only in a field no check reads are the same list (clean, exit 0)", async () => {
    await fillTwoPages(standIn);
    const run = await audit(clientsWith((read) => JSON.stringify({ unread: { nested: [read] } })));
    expect(run.reasons).toEqual([]);
    expect(run.code).toBe(0);
  });
});

/** Client grants answered with the first page's items and a new checkpoint each time. */
function endlessGrants(): typeof fetch {
  let checkpoint = 0;
  let items: unknown[] | undefined;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname !== "/api/v2/client-grants") return standIn.fetch(input, init);
    // An answer comes from the network: later than anything already queued, as it would.
    await new Promise((resolve) => setImmediate(resolve));
    if (items === undefined) items = ((await (await standIn.fetch(input, init)).json()) as { client_grants: unknown[] }).client_grants;
    checkpoint += 1;
    return new Response(JSON.stringify({ client_grants: items, next: `checkpoint-${checkpoint}` }), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
}

describe("a list that never ends is not read without end", () => {
  const said =
    "GET /api/v2/client-grants: page 2 brings no item not read before, yet points to a next page: the list would never end; not read further";

  it("audit: same grants, new checkpoint each time: two requests, 'not checked' saying so, exit 1", async () => {
    const net = counted(endlessGrants());
    const run = await audit(net.fetch, 3);
    expect(net.paths.filter((p) => p === "/api/v2/client-grants")).toHaveLength(2);
    expect(run.code).toBe(1);
    expect(run.reasons).toContain(said);
  });

  it("adopt: the same, exit 1 with the same words", async () => {
    const net = counted(endlessGrants());
    const run = await adopt(net.fetch);
    expect(run.code).toBe(1);
    expect(net.paths.filter((p) => p === "/api/v2/client-grants")).toHaveLength(2);
    expect(run.stderr).toContain(said);
  });
});

describe("only Auth0's own 404 says a thing is absent", () => {
  const html404: Rule = { path: RS, fault: { kind: "answer", status: 404, headers: { "content-type": "text/html" }, text: HTML } };

  it("audit: an HTML 404 page for the API is 'not checked', never api.missing", async () => {
    const run = await audit(hostileFetch(standIn.fetch, [html404]).fetch);
    expect(run.code).toBe(1);
    expect(run.stack?.findings).toEqual([]);
    expect(run.reasons).toContain(
      `GET /api/v2/resource-servers/{identifier}: 404, but not in Auth0's error shape (an HTML page): not taken to mean it is absent`,
    );
  });

  it("audit: Auth0's own 404 is the API missing", async () => {
    const auth0NotFound = JSON.stringify({
      statusCode: 404,
      error: "Not Found",
      message: "The resource server does not exist",
      errorCode: "inexistent_resource_server",
    });
    const rule: Rule = {
      path: RS,
      fault: { kind: "answer", status: 404, headers: { "content-type": "application/json; charset=utf-8" }, text: auth0NotFound },
    };
    const run = await audit(hostileFetch(standIn.fetch, [rule]).fetch);
    expect(run.code).toBe(2);
    expect(run.stack?.findings.map((f) => f.kind)).toContain("api.missing");
  });

  it("adopt: an HTML 404 for the API is exit 1, not 'it will be created'", async () => {
    const run = await adopt(hostileFetch(standIn.fetch, [html404]).fetch);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("not in Auth0's error shape");
  });
});

describe("messages say what happened", () => {
  it("audit: access_token null is said as such, once, before any read", async () => {
    const run = await audit(hostileFetch(standIn.fetch, [{ path: "/oauth/token", fault: tokenAnswer(null) }]).fetch);
    expect(run.code).toBe(1);
    expect(run.stack?.error).toBe(
      "the auditor could not get a Management API token (AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET): POST /oauth/token: the token answer's access_token is null, not a token",
    );
  });

  it("adopt: an access_token missing from the token answer is said as such", async () => {
    const fault: Rule["fault"] = {
      kind: "answer",
      status: 200,
      headers: { "content-type": "application/json" },
      text: '{"token_type":"Bearer"}',
    };
    const run = await adopt(hostileFetch(standIn.fetch, [{ path: "/oauth/token", fault }]).fetch);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("POST /oauth/token: the token answer's access_token is missing, not a token");
    expect(run.stderr).not.toContain("could not reach");
  });

  it("audit: a captive portal's page on the token endpoint is HTML, not 'could not reach'", async () => {
    const fault: Rule["fault"] = {
      kind: "answer",
      status: 200,
      headers: { "content-type": "text/html" },
      text: "<html>Sign in to Wi-Fi</html>",
    };
    const run = await audit(hostileFetch(standIn.fetch, [{ path: "/oauth/token", fault }]).fetch);
    expect(run.stack?.error).toMatch(/POST \/oauth\/token: Auth0 answered HTML, not JSON$/);
  });

  it("audit: a body that arrived but would not decompress is 'could not be read', not 'could not reach'", async () => {
    const corrupt: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname !== "/api/v2/connections") return standIn.fetch(input, init);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.error(
            new TypeError("terminated", { cause: Object.assign(new Error("incorrect header check"), { code: "Z_DATA_ERROR" }) }),
          );
        },
      });
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    };
    const run = await audit(corrupt);
    expect(run.code).toBe(1);
    expect(run.reasons).toContain(
      `GET /api/v2/connections?name=: ${dev.tenant.domain} answered, but the answer could not be read (its compressed body is corrupt)`,
    );
  });

  it("audit: a TLS handshake that never starts is a connection that timed out, not a 408", async () => {
    // A socket that accepts and never speaks TLS: the runtime's connect timeout ends it (10 s by
    // default; the same error from undici's own connector with a short one, so the test waits 1 s).
    const silent = net.createServer(() => undefined);
    const connector = new Agent({ connect: { timeout: 300 } });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const toSilent: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      return fetch(`https://127.0.0.1:${port}${url.pathname}${url.search}`, { ...init, dispatcher: connector } as RequestInit);
    };
    try {
      const run = await audit(toSilent, 120);
      expect(run.code).toBe(1);
      expect(run.stack?.error).toMatch(/POST \/oauth\/token: could not connect to .* \(the connection timed out\)$/);
    } finally {
      silent.close();
      await connector.close();
    }
  }, 60_000);
});

describe("verify: the tenant's answers not read is 'could not finish' (exit 1), not a failed check (2)", () => {
  let seed: VerifySeed;
  beforeEach(async () => {
    standIn.reset();
    seed = await seedForVerify(standIn, dev);
  });
  const verify = (rules: readonly Rule[]) =>
    runVerify(["--stack", "dev", "--format", "json"], {
      fetch: hostileFetch(standIn.fetch, rules).fetch,
      readOutputs: () => Promise.resolve(seed.outputs),
    });

  it("a proxy's 502 page on the token endpoint: exit 1, said", async () => {
    const fault: Rule["fault"] = {
      kind: "answer",
      status: 502,
      headers: { "content-type": "text/html" },
      text: "<html>Bad Gateway</html>",
    };
    const run = await verify([{ path: "/oauth/token", fault }]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("POST /oauth/token: 502 (an HTML page), not an answer to what was asked");
  });

  it("an access_token a header cannot carry: exit 1, said, and no part of it printed", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2ZXJpZnkifQ.dmVyaWZ5LXNpZ25hdHVyZQ\r\nSet-Cookie: x=1";
    const run = await verify([{ path: "/oauth/token", fault: tokenAnswer(token) }]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("holds characters a token cannot");
    expect(run.stdout + run.stderr).not.toContain("dmVyaWZ5LXNpZ25h");
  });

  it("the tenant's key set as an HTML page: exit 1, said", async () => {
    const fault: Rule["fault"] = { kind: "answer", status: 200, headers: { "content-type": "text/html" }, text: "<html>portal</html>" };
    const run = await verify([{ path: "/.well-known/jwks.json", fault }]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("GET /.well-known/jwks.json: Auth0 answered HTML, not JSON");
  });
});
