import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getParsed } from "../../stacks/auth0/answer";
import { MAX_ANSWER_DEPTH, nestsDeeperThan } from "../../stacks/auth0/json-answer";
import { checkpointPages, MAX_PAGES } from "../../stacks/auth0/pages";
import { CREDENTIAL_PART, hideCredentials } from "../../stacks/auth0/redact";
import type { ManagementSession } from "../../stacks/auth0/session";
import { readTokenAnswer } from "../../stacks/auth0/token";
import { loadStackSpec } from "../../stacks/stack-config";
import { tokenRows } from "../../stacks/verify/checks/token-claims";

// The rules every reader of Auth0's answers goes through, each held as a property over the
// answers a proxy on the tenant's address could give.

/** Every run of CREDENTIAL_PART characters of `credential`. */
const partsOf = (credential: string): string[] =>
  Array.from({ length: Math.max(0, credential.length - CREDENTIAL_PART + 1) }, (_, i) => credential.slice(i, i + CREDENTIAL_PART));
const showsPartOf = (text: string, credential: string): boolean => partsOf(credential).some((part) => text.includes(part));

/** A session over `answer`, counting requests; it stops answering (as a network error) past `cap`. */
function fakeSession(answer: (query: Readonly<Record<string, string | number | boolean>>) => Response, cap = 20_000) {
  let requests = 0;
  const session: ManagementSession = {
    domain: "t.eu.auth0.com",
    signal: new AbortController().signal,
    budgetMs: 60_000,
    token: () => Promise.resolve("token"),
    credentials: () => [],
    get: (_path, query) => {
      requests += 1;
      return requests > cap ? Promise.reject(new Error("cap reached")) : Promise.resolve(answer(query));
    },
    stats: () => ({ total: requests, managementApi: requests, token: 0, refused: 0 }),
  };
  return { session, requests: () => requests };
}

const json = (body: unknown, status = 200, contentType = "application/json"): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": contentType } });
const read = { budget: "--timeout 60", scope: "read:client_grants" };

// Strings a token endpoint could answer: unicode, header-breaking, huge, and ones that look right.
const anyText = fc.string({ unit: "grapheme", minLength: 0, maxLength: 60 });
const accessTokenValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  anyText,
  fc
    .tuple(fc.base64String({ minLength: 12 }), fc.constantFrom("\r\n", "\n", "\r", "\u0000", " ", "\u2028", "é"), anyText)
    .map((p) => p.join("")),
  fc.integer({ min: 16 * 1024 + 1, max: 40_000 }).map((n) => "QzXj".repeat(Math.ceil(n / 4))),
  fc.base64String({ minLength: 12, maxLength: 400 }),
);

describe("no message carries a credential, nor any part of one", () => {
  it("hideCredentials leaves no run of 8 characters of any credential, and text without one untouched", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", minLength: CREDENTIAL_PART, maxLength: 80 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(anyText, fc.nat(), fc.nat()), { maxLength: 5 }),
        (credentials, pieces) => {
          // A text of everyday words with slices of the credentials in it.
          const text = pieces
            .map(([words, which, start]) => {
              const credential = credentials[which % credentials.length] ?? "";
              const from = start % credential.length;
              return `${words}${credential.slice(from, from + CREDENTIAL_PART + (start % 5))}`;
            })
            .join(" ");
          const shown = hideCredentials(text, credentials);
          for (const credential of credentials) expect(showsPartOf(shown, credential)).toBe(false);
          if (!credentials.some((credential) => showsPartOf(text, credential))) expect(shown).toBe(text);
        },
      ),
      { seed: 3001, numRuns: 300 },
    );
  });

  it("a token answer is either a token a header can carry, or a message that holds no part of what was answered", () => {
    fc.assert(
      fc.property(accessTokenValue, fc.constantFrom(200, 201), (value, status) => {
        const answered = readTokenAnswer(status, "application/json", JSON.stringify({ access_token: value, expires_in: 60 }));
        if (answered.ok) {
          expect(() => new Headers({ authorization: `Bearer ${answered.accessToken}` })).not.toThrow();
          expect(answered.accessToken).toBe(value);
          return;
        }
        expect(answered.refused).toBe(false);
        if (!answered.refused && typeof value === "string") expect(showsPartOf(answered.message, value)).toBe(false);
      }),
      { seed: 3002, numRuns: 400 },
    );
  });
});

describe("no answer is walked deeper than MAX_ANSWER_DEPTH", () => {
  const depthOf = (value: unknown): number =>
    value === null || typeof value !== "object" ? 0 : 1 + Math.max(0, ...Object.values(value).map(depthOf));

  it("nestsDeeperThan agrees with the depth of any small JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (value, limit) => {
        expect(nestsDeeperThan(value, limit)).toBe(depthOf(value) > limit);
      }),
      { seed: 3003, numRuns: 300 },
    );
  });

  it("an answer nested 100,000 levels is refused by every reader's parse, not walked", async () => {
    const deep = `{"client_grants":[{"id":"cgr_1","audience":"a","x":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}]}`;
    const { session } = fakeSession(() => new Response(deep, { status: 200, headers: { "content-type": "application/json" } }));
    const answer = await getParsed(session, "/api/v2/client-grants", {}, z.object({ client_grants: z.array(z.unknown()) }), read);
    expect(answer).toMatchObject({ ok: false, problem: { message: expect.stringContaining(`more than ${MAX_ANSWER_DEPTH} levels`) } });
  });
});

describe("verify's token claims are not walked deeper than MAX_ANSWER_DEPTH", () => {
  it("a token whose aud nests 6,000 levels (it fits in 16 KiB) is a failed format row, not a crash", async () => {
    // Built as text: no serializer of ours could write it.
    const part = (text: string) => Buffer.from(text).toString("base64url");
    const token = `${part('{"alg":"none"}')}.${part(`{"aud":${"[".repeat(6000)}${"]".repeat(6000)}}`)}.`;
    expect(token.length).toBeLessThan(16 * 1024);
    const rows = await tokenRows(loadStackSpec("dev"), token, { subject: "import-job", clientId: "c", scopes: [] }, () =>
      Promise.reject(new Error("no key")),
    );
    expect(rows).toEqual([
      {
        check: "import-job.format",
        pass: false,
        expected: "a JWT",
        actual: `its claims nest more than ${MAX_ANSWER_DEPTH} levels deep; not read`,
      },
    ]);
  });
});

describe("a list read with checkpoints ends", () => {
  const grant = (id: string) => ({ id, audience: "https://api.example" });

  it("whatever the pages hold, at most MAX_PAGES are asked for, and a list that never ends is not used", async () => {
    // Each page: some ids from a pool (new or seen) and always a next checkpoint.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        async (seed, fresh, size) => {
          let page = 0;
          const { session, requests } = fakeSession(() => {
            page += 1;
            const ids = Array.from({ length: size }, (_, i) => (i < fresh ? `cgr_${seed}_${page}_${i}` : `cgr_${seed}_seen_${i}`));
            return json({ client_grants: ids.map(grant), next: `cp_${page}` });
          });
          const answer = await checkpointPages(
            session,
            "/api/v2/client-grants",
            {},
            "client_grants",
            z.object({ id: z.string() }),
            (g) => g.id,
            read,
          );
          expect(answer.ok).toBe(false);
          expect(requests()).toBeLessThanOrEqual(MAX_PAGES);
          if (!answer.ok) expect(answer.problem.message).toMatch(/not read further$/);
        },
      ),
      { seed: 3004, numRuns: 12 },
    );
  });

  it("a list that does end is read whole", async () => {
    const { session, requests } = fakeSession((query) => {
      const from = Number(query.from ?? 0);
      const ids = Array.from({ length: 100 }, (_, i) => `cgr_${from + i}`).filter((_, i) => from + i < 250);
      return json({ client_grants: ids.map(grant), ...(from + 100 < 250 ? { next: String(from + 100) } : {}) });
    });
    const answer = await checkpointPages(
      session,
      "/api/v2/client-grants",
      {},
      "client_grants",
      z.object({ id: z.string() }),
      (g) => g.id,
      read,
    );
    expect(answer.ok && answer.value.length).toBe(250);
    expect(requests()).toBe(3);
  });
});

describe("only Auth0's own error shape says a thing is absent", () => {
  const auth0Body = {
    statusCode: 404,
    error: "Not Found",
    message: "The resource server does not exist",
    errorCode: "inexistent_resource_server",
  };
  const foreign = fc.oneof(
    fc.record({
      text: fc.constantFrom("<html><body>404</body></html>", "Not Found", ""),
      type: fc.constantFrom("text/html", "text/plain", ""),
    }),
    fc.record({
      text: fc.constantFrom(
        JSON.stringify({ message: "Not Found" }),
        JSON.stringify({ ...auth0Body, statusCode: 400 }),
        JSON.stringify({ statusCode: 404 }),
        JSON.stringify([auth0Body]),
        "null",
      ),
      type: fc.constantFrom("application/json", "application/json; charset=utf-8"),
    }),
    fc.record({ text: fc.constant(JSON.stringify(auth0Body)), type: fc.constantFrom("text/html", "text/plain") }),
  );

  it("any other 404 is a problem, never absence; Auth0's own is absence", async () => {
    await fc.assert(
      fc.asyncProperty(foreign, async ({ text, type }) => {
        const { session } = fakeSession(() => new Response(text, { status: 404, headers: type === "" ? {} : { "content-type": type } }));
        const answer = await getParsed(session, "/api/v2/resource-servers/x", {}, z.object({ id: z.string() }), read);
        expect(answer).toMatchObject({ ok: false, notFound: false });
      }),
      { seed: 3005, numRuns: 40 },
    );
    const { session } = fakeSession(() => json(auth0Body, 404, "application/json; charset=utf-8"));
    expect(await getParsed(session, "/api/v2/resource-servers/x", {}, z.object({ id: z.string() }), read)).toMatchObject({
      ok: false,
      notFound: true,
    });
  });
});
