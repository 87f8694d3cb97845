import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getParsed } from "../../stacks/auth0/answer";
import { Pacer } from "../../stacks/auth0/pacer";
import { offsetPages } from "../../stacks/auth0/pages";
import { openSession, retryWaitMs, sessionFetch, WriteRefused } from "../../stacks/auth0/session";
import { FakeClock } from "../e2e/audit-answers";

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function session(answer: (url: URL) => Response | Promise<Response>, options: { budgetMs?: number; clock?: FakeClock } = {}) {
  const seen: string[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    seen.push(`${init?.method ?? "GET"} ${url.pathname}${url.search}`);
    return answer(url);
  };
  const clock = options.clock ?? new FakeClock();
  const opened = openSession(
    "t.eu.auth0.com",
    { kind: "token", token: "x", source: "AUTH0_API_TOKEN" },
    { fetch: fetchFn, maxRetries: 0, budgetMs: options.budgetMs ?? 60_000, clock },
  );
  return { session: opened, seen, clock };
}

const read = { budget: "--timeout 60", scope: "read:clients" };
const item = z.looseObject({ client_id: z.string() });
const list = (s: ReturnType<typeof session>["session"]) => offsetPages(s, "/api/v2/clients", {}, "clients", item, (c) => c.client_id, read);

describe("a Management API session", () => {
  it("refuses to send anything but a GET, before it leaves the process", async () => {
    const seen: string[] = [];
    const clock = new FakeClock();
    const counts = { total: 0, managementApi: 0, token: 0, refused: 0 };
    const guarded = sessionFetch(
      async () => (seen.push("sent"), json({})),
      new AbortController().signal,
      clock.now() + 1000,
      clock,
      new Pacer(clock),
      counts,
    );
    await expect(guarded("https://t.eu.auth0.com/api/v2/client-grants/cgr_1", { method: "DELETE" })).rejects.toBeInstanceOf(WriteRefused);
    expect(seen).toEqual([]);
  });

  it("says in words what went wrong with an answer, never in JavaScript", async () => {
    const cases: Array<[() => Response | Promise<Response>, string]> = [
      [
        () => new Response("<html>Gateway</html>", { status: 200, headers: { "content-type": "text/html" } }),
        "Auth0 answered HTML, not JSON",
      ],
      [() => new Response("", { status: 200 }), "Auth0 answered an empty body, not JSON"],
      [() => new Response('{"clients": [', { status: 200 }), "Auth0's answer is not valid JSON (13 bytes, cut off or garbled)"],
      [
        () => json({ start: 0, limit: 100, total: 1, clients: "x" }),
        "the answer does not fit what is read from it: clients is a string, expected a list",
      ],
      [
        () => json({ start: 0, limit: 100, total: 1, clients: [null] }),
        "the answer does not fit what is read from it: clients[0] is null, expected an object",
      ],
      [() => json({ statusCode: 503, message: "down" }, 503), "503 Service Unavailable: down (still failing after the retries)"],
      [
        () => json({ statusCode: 401 }, 401),
        "401 Unauthorized: Auth0 no longer accepts the token (expired or revoked while the tenant was read)",
      ],
      [
        () => Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) })),
        "could not connect to t.eu.auth0.com (connection refused)",
      ],
      [
        () => Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) })),
        "could not connect to t.eu.auth0.com (no such host)",
      ],
    ];
    for (const [answer, message] of cases) {
      const result = await getParsed(session(answer).session, "/api/v2/clients", {}, z.looseObject({ clients: z.array(item) }), read);
      expect(result).toMatchObject({ ok: false, problem: { message } });
    }
  });

  it("no answer within the budget: said in seconds", async () => {
    const clock = new FakeClock();
    const { session: s } = session(
      () =>
        new Promise<Response>((_resolve, reject) => {
          const signal = s.signal;
          signal.addEventListener("abort", () => reject(signal.reason as Error));
          clock.advance(31_000);
        }),
      { budgetMs: 30_000, clock },
    );
    expect(await getParsed(s, "/api/v2/clients", {}, item, read)).toMatchObject({
      problem: { message: "no answer within 30 s (--timeout 60)" },
    });
  });

  it("counts every request, and the answers that were refused", async () => {
    const { session: s } = session(() => json({ statusCode: 429 }, 429, { "retry-after": "1" }));
    await getParsed(s, "/api/v2/clients", {}, item, read);
    expect(s.stats()).toEqual({ total: 1, managementApi: 1, token: 0, refused: 1 });
  });
});

describe("a list read page by page", () => {
  const pages = (total: number, perPage: (page: number) => unknown[]) => (url: URL) => {
    const page = Number(url.searchParams.get("page"));
    return json({ start: page * 100, limit: 100, total, clients: perPage(page) });
  };
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ client_id: `c${from + i}` }));

  it("is whole when every page holds what the total says", async () => {
    const { session: s, seen } = session(pages(104, (page) => (page === 0 ? ids(0, 100) : ids(100, 4))));
    const result = await list(s);
    expect(result.ok && result.value).toHaveLength(104);
    // Two pages, read twice: the second read confirms the list did not move.
    expect(seen).toHaveLength(4);
  });

  it("a delete on a read page and a create after it, between two pages, shift an item out of sight: the confirming read says so", async () => {
    // The first read sees c0..c99, then c0 is deleted and c104 created: page 2 now starts at c101, and c100 is never seen.
    let calls = 0;
    const { session: s } = session((url) => {
      calls += 1;
      const page = Number(url.searchParams.get("page"));
      const shifted = calls > 1;
      const all = shifted ? [...ids(1, 104)] : ids(0, 104);
      return json({ start: page * 100, limit: 100, total: 104, clients: all.slice(page * 100, page * 100 + 100) });
    });
    const result = await list(s);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem.message).toBe(
      "the list changed while it was read (between two reads: 1 gone (c0), 1 new (c100)); run the command again",
    );
  });

  it("an empty or short page, a moving total, a shifted start or a changed duplicate: not whole, and said why", async () => {
    const broken: Array<[ReturnType<typeof pages> | ((url: URL) => Response), RegExp]> = [
      [pages(104, (page) => (page === 0 ? ids(0, 100) : [])), /page 2 holds 0 item\(s\) where a list of 104 must hold 4/],
      [pages(104, (page) => (page === 0 ? ids(0, 99) : ids(100, 4))), /page 1 holds 99 item\(s\)/],
      [
        (url) => {
          const page = Number(url.searchParams.get("page"));
          return json({ start: page * 100, limit: 100, total: page === 0 ? 104 : 105, clients: page === 0 ? ids(0, 100) : ids(100, 5) });
        },
        /the total changed from 104 to 105/,
      ],
      [
        (url) => json({ start: 7, limit: 100, total: 1, clients: ids(0, Number(url.searchParams.get("page")) + 1) }),
        /page 1 starts at item 7/,
      ],
      [pages(104, (page) => (page === 0 ? ids(0, 100) : [...ids(96, 4)])), /100 distinct item\(s\) read where the list says 104/],
      [
        pages(101, (page) => (page === 0 ? ids(0, 100) : [{ client_id: "c0", name: "changed" }])),
        /c0 appears twice, with different contents/,
      ],
    ];
    for (const [answer, message] of broken) {
      const result = await list(session(answer).session);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problem.message).toMatch(message);
    }
  });
});

describe("pacing by the rate-limit headers", () => {
  it("sends each request when the bucket holds one: no 429, waits of one refill each", async () => {
    const clock = new FakeClock();
    // A bucket of 2, refilled at 2 a second, as the headers say after each request.
    let tokens = 2;
    let refilled = clock.now();
    const refused: number[] = [];
    const answer = () => {
      tokens = Math.min(2, tokens + ((clock.now() - refilled) / 1000) * 2);
      refilled = clock.now();
      const headers = {
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(Math.ceil(clock.now() / 1000) + 1),
      };
      if (tokens < 1) {
        refused.push(clock.now());
        return json({ statusCode: 429 }, 429, { ...headers, "retry-after": "1" });
      }
      tokens -= 1;
      return json({ ok: true }, 200, { ...headers, "x-ratelimit-remaining": String(Math.floor(tokens)) });
    };
    const { session: s } = session(answer, { clock });
    const started = clock.now();
    const answers = await Promise.all(Array.from({ length: 6 }, () => getParsed(s, "/api/v2/clients", {}, z.unknown(), read)));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(refused).toEqual([]);
    // Two at once, then one per half second: four more take two seconds (and a few ms of margin).
    expect(clock.now() - started).toBeGreaterThanOrEqual(2000);
    expect(clock.now() - started).toBeLessThan(2100);
  });
});

describe("how long the SDK will wait before a retry", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    [{ "retry-after": "3" }, 3000],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, 5000],
    [{ "x-ratelimit-reset": String(now / 1000 + 7) }, 7000],
    [{ "retry-after": "0", "x-ratelimit-reset": String(now / 1000 + 2) }, 2000],
    [{}, 900],
  ])("%o → %i ms", (headers, expected) => {
    expect(retryWaitMs(new Headers(headers), now)).toBe(expected);
  });
});
