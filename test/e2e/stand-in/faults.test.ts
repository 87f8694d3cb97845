import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api, requestToken } from "./helpers.js";

// Injected failures: rate limits (after N calls, or a token bucket), 5xx and slow answers.

let auth0: Auth0StandIn;
let token: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
});
afterAll(() => auth0.close());
beforeEach(async () => {
  auth0.reset();
  token = await auth0.managementToken();
});

describe("faults", () => {
  it("rate-limits after N calls with Auth0's 429 body and rate-limit headers", async () => {
    auth0.faults.rateLimit({ after: 2, retryAfterSeconds: 3 });
    const statuses = [];
    for (let n = 0; n < 4; n += 1) statuses.push((await api(auth0, token, "GET", "/clients")).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = await api(auth0, token, "GET", "/clients");
    expect(limited.body).toEqual({
      statusCode: 429,
      error: "Too Many Requests",
      message: "Global limit has been reached",
      errorCode: "too_many_requests",
    });
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.headers.get("x-ratelimit-limit")).toBe("2");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
  });

  it("lifts the limit after `times` refusals and limits only the given path", async () => {
    auth0.faults.rateLimit({ after: 0, times: 1, path: "/api/v2/connections" });
    expect((await api(auth0, token, "GET", "/clients")).status).toBe(200);
    expect((await api(auth0, token, "GET", "/connections")).status).toBe(429);
    expect((await api(auth0, token, "GET", "/connections")).status).toBe(200);
  });

  it("refuses what exceeds a token bucket of N requests per second", async () => {
    auth0.faults.rateLimit({ perSecond: 5 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => api(auth0, token, "GET", "/clients")));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(3);
    expect(answers.find((answer) => answer.status === 200)?.headers.get("x-ratelimit-limit")).toBe("5");
  });

  it("answers 5xx to the next N calls, then recovers; OAuth errors keep their own shape", async () => {
    auth0.faults.serverError({ times: 2, status: 503, path: "/api/v2/resource-servers" });
    expect((await api(auth0, token, "GET", "/clients")).status).toBe(200);
    const failed = await api(auth0, token, "GET", "/resource-servers");
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ statusCode: 503, error: "Service Unavailable" });
    expect((await api(auth0, token, "GET", "/resource-servers")).status).toBe(503);
    expect((await api(auth0, token, "GET", "/resource-servers")).status).toBe(200);

    auth0.faults.rateLimit({ after: 0, times: 1, path: "/oauth/token" });
    const limitedToken = await requestToken(auth0, { grant_type: "client_credentials" });
    expect(limitedToken.status).toBe(429);
    expect(limitedToken.body).toEqual({ error: "too_many_requests", error_description: "Global limit has been reached" });
  });

  it("slows answers down by the given delay", async () => {
    auth0.faults.delay({ ms: 150, times: 1 });
    const started = performance.now();
    expect((await api(auth0, token, "GET", "/clients")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const fast = performance.now();
    await api(auth0, token, "GET", "/clients");
    expect(performance.now() - fast).toBeLessThan(140);
  });

  it("clears faults on reset", async () => {
    auth0.faults.serverError({ times: 5 });
    auth0.reset();
    expect((await api(auth0, await auth0.managementToken(), "GET", "/clients")).status).toBe(200);
  });
});
