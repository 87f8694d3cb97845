import { createServer, Server } from "node:net";
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { startAuth0StandIn } from "../../support/stand-in";
import { readTenantFile, TenantFileError } from "../../../local/tenant-file";
import { localFolder, runLocal } from "./run-local";
import { LOCAL_RESET_FIX } from "../../../stacks/fixes";

// `npm run local` starts cleanly or refuses cleanly: a damaged tenant file is refused in one
// line naming it and the way out, and left as it was; a tenant file opened to others is made
// private again; the temporary copies a killed write left are removed; a start that fails
// (a port taken) leaves nothing listening and exits 1.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A folder holding a new local tenant, made as `npm run local -- --env` makes one (no server left running). */
async function folderWithTenant(): Promise<{ folder: string; file: string; text: string }> {
  const folder = localFolder();
  const made = await runLocal(["--env", "deployer"], { folder });
  expect(made.code).toBe(0);
  const file = path.join(folder, "tenant.json");
  return { folder, file, text: readFileSync(file, "utf8") };
}

function setAt(root: Json, at: readonly (string | number)[], value: Json): Json {
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  parent[at[at.length - 1] as string | number] = value;
  return copy;
}

function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [at];
  const inner = Array.isArray(value)
    ? value.flatMap((item, index) => paths(item, [...at, index]))
    : Object.entries(value).flatMap(([key, item]) => paths(item, [...at, key]));
  return at.length === 0 ? inner : [at, ...inner];
}

const ONE_LINE_REFUSAL = /^error: the local tenant in \S+tenant\.json .*`npm run local -- --reset` starts a new local tenant\n$/;

// The damages seen from outside, each a kind: bad key material, null items, wrong shapes.
const DAMAGES: Record<string, (saved: Json) => Json> = {
  "a signing key that is not a key": (saved) =>
    setAt(saved, ["keys", "rs256", 0, "privateKey"], "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
  "a certificate that is not one": (saved) => setAt(saved, ["keys", "clientCertificate", "certificate"], "AAAA"),
  "a null client": (saved) => setAt(saved, ["tenant", "clients"], [null]),
  "a client without its id": (saved) => setAt(saved, ["tenant", "clients", 0, "client_id"], 7),
  "connections' options as a string": (saved) => setAt(saved, ["tenant", "connections", 0, "options"], "x"),
  "a password that is not a pair": (saved) => setAt(saved, ["tenant", "passwords"], [["only-one"]]),
  "a credential's key that is not a key": (saved) =>
    setAt(
      saved,
      ["tenant", "credentials"],
      [{ clientId: "x", document: { id: "cred_1", credential_type: "public_key" }, publicKey: "garbage" }],
    ),
  "roles that are not a list": (saved) => setAt(saved, ["tenant", "roles", "roles"], null),
  "a configuration key of the wrong size": (saved) => setAt(saved, ["configurationKey"], "c2hvcnQ="),
};

describe("a damaged local tenant file", () => {
  test.each(Object.keys(DAMAGES))(
    "%s: one line naming the file and --reset, exit 1, nothing started, the file untouched",
    async (damage) => {
      const { folder, file, text } = await folderWithTenant();
      const damaged = `${JSON.stringify((DAMAGES[damage] as (saved: Json) => Json)(JSON.parse(text) as Json))}\n`;
      writeFileSync(file, damaged, { mode: 0o600 });
      const run = await runLocal(["--serve-only"], { folder, untilStopped: () => Promise.resolve() });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(ONE_LINE_REFUSAL);
      expect(run.local).toBeUndefined();
      expect(readFileSync(file, "utf8")).toBe(damaged);
    },
  );

  test("any one value replaced by a value of another shape is refused in that line, or starts: never a crash", async () => {
    const { file, text } = await folderWithTenant();
    const saved = JSON.parse(text) as Json;
    const everyPath = paths(saved);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: everyPath.length - 1 }),
        fc.constantFrom<Json>(null, 0, "x", [], {}, true, [null]),
        async (index, replacement) => {
          const damaged = JSON.stringify(setAt(saved, everyPath[index] as (string | number)[], replacement));
          writeFileSync(file, damaged, { mode: 0o600 });
          let restored;
          try {
            restored = readTenantFile(file);
          } catch (error) {
            expect(error).toBeInstanceOf(TenantFileError);
            // The command prints the way out after the file's own line (stacks/local/main.ts).
            expect((error as TenantFileError).fixedByReset).toBe(true);
            expect(`error: ${(error as Error).message}; ${LOCAL_RESET_FIX}\n`).toMatch(ONE_LINE_REFUSAL);
            expect(readFileSync(file, "utf8")).toBe(damaged);
            return;
          }
          // What the schema lets through is what the local Auth0 can start from.
          const standIn = await startAuth0StandIn({ domain: restored?.domain, restore: restored });
          await standIn.close();
        },
      ),
      { seed: 2702, numRuns: 40 },
    );
  });
});

describe("the start puts the folder right", () => {
  test("a tenant file opened to others is made private (0600) again", async () => {
    const { folder, file } = await folderWithTenant();
    chmodSync(file, 0o644);
    const run = await runLocal(["--env", "auditor"], { folder });
    expect(run.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("temporary copies left by a killed write (whole tenants, secrets included) are removed; the tenant stays", async () => {
    const { folder, file, text } = await folderWithTenant();
    // A process id above Linux's highest (2^22): the process that wrote it is surely gone.
    const leftover = path.join(folder, ".tenant.json.99999999.0badcafe.tmp");
    writeFileSync(leftover, text, { mode: 0o600 });
    expect((await runLocal(["--env", "auditor"], { folder })).code).toBe(0);
    expect(existsSync(leftover)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(text);
  });
});

describe("a start that fails", () => {
  test("the gateway's port taken: exit 1 in one line, and nothing of local mode left listening", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    // Servers of this process still accepting connections (Node's own list of what keeps it alive).
    const handles = (): unknown[] => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    const listening = () => handles().filter((handle) => handle instanceof Server && handle.listening).length;
    const before = listening();
    try {
      const run = await runLocal(["--serve-only", "--gateway-port", String(port)], {
        folder: localFolder(),
        untilStopped: () => Promise.resolve(),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: a port local mode needs is taken .*\n$/);
      expect(listening()).toBe(before);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
