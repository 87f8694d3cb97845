import { describe, expect, it } from "vitest";
import { openSession, retryWaitMs, WriteRefused } from "../../stacks/audit/management";
import { withoutRetrySleeps } from "../support/fake-clock";

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function session(answer: (url: URL, init: RequestInit | undefined) => Response, deadline = Date.now() + 60_000) {
  const seen: string[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    seen.push(`${init?.method ?? "GET"} ${url.pathname}`);
    return answer(url, init);
  };
  const opened = openSession(
    "t.eu.auth0.com",
    { kind: "token", token: "x", source: "AUTH0_API_TOKEN" },
    { fetch: fetchFn, maxRetries: 2, signal: new AbortController().signal, deadline },
  );
  return { ...opened, seen };
}

describe("the audit's Management API session", () => {
  it("refuses to send anything but a GET, before it leaves the process", async () => {
    const { client, seen } = session(() => json({}));
    const attempt = client.clientGrants.delete("cgr_1");
    await expect(attempt).rejects.toMatchObject({ cause: expect.any(WriteRefused) });
    expect(seen).toEqual([]);
  });

  it("counts every request, retries included, and the answers that were refused", async () => {
    let calls = 0;
    const { client, stats } = session(() =>
      ++calls === 1 ? json({ statusCode: 429 }, 429, { "retry-after": "1" }) : json({ clients: [], total: 0 }),
    );
    // The SDK sleeps the second Retry-After asks for: at once.
    await withoutRetrySleeps(() => client.clients.list({ per_page: 100 }));
    expect(stats()).toEqual({ total: 2, managementApi: 2, token: 0, refused: 1 });
  });

  it("does not let the SDK sleep past the deadline before a retry", async () => {
    const { client, seen } = session(() => json({ statusCode: 429 }, 429, { "retry-after": "10" }), Date.now() + 2000);
    const started = performance.now();
    await expect(client.clients.list({ per_page: 100 })).rejects.toMatchObject({
      cause: { message: "429, and its retry would wait 10.0 s, past the time budget" },
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(seen).toHaveLength(1);
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
