import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { loadStackSpec } from "../../stacks/stack-config";
import { verifyInputs } from "../../stacks/verify/inputs";
import { main } from "../../stacks/verify/main";
import { exitCodeFor, row, verification } from "../../stacks/verify/report";

function io(
  overrides: { env?: Record<string, string>; fetch?: typeof fetch; readOutputs?: (stack: string) => Promise<Record<string, unknown>> } = {},
) {
  const out = { stdout: "", stderr: "" };
  const fetchSpy = vi.fn<typeof fetch>(overrides.fetch ?? (() => Promise.reject(new Error("no network in this test"))));
  return {
    out,
    fetchSpy,
    io: {
      env: overrides.env ?? {},
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      fetch: fetchSpy,
      readOutputs: overrides.readOutputs ?? (() => Promise.reject(new Error("stderr: error: no stack named 'dev' found"))),
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("npm run verify", () => {
  test("without a stack to verify is a usage error", async () => {
    const run = io();
    expect(await main([], run.io)).toBe(1);
    expect(run.out.stderr).toContain("name a stack with --stack <name>, or verify every stack with --all");
  });

  test("without credentials exits 1, naming each missing value and where it may come from, and calls nothing", async () => {
    const run = io();
    expect(await main(["--stack", "dev"], run.io)).toBe(1);
    expect(run.fetchSpy).not.toHaveBeenCalled();
    expect(run.out.stdout).toContain("dev: could not run");
    expect(run.out.stdout).toContain("could not read the stack's outputs: no stack named 'dev' found");
    // dev has a test user and a developer portal: the integration-test and the portal applications' values too.
    expect(run.out.stdout).toContain("missing 7 values; give each in one of the ways listed:");
    // One missing value a line, each line naming its own variable: readable, not one 700-character line.
    const lines = run.out.stdout.split("\n");
    for (const variable of [
      "VERIFY_IMPORT_JOB_CLIENT_ID",
      "VERIFY_IMPORT_JOB_CLIENT_SECRET",
      "VERIFY_TEST_CLIENT_ID",
      "VERIFY_TEST_CLIENT_SECRET",
      "VERIFY_TEST_USER_PASSWORD",
      "VERIFY_PORTAL_CLIENT_ID",
      "VERIFY_PORTAL_CLIENT_SECRET",
    ]) {
      expect(lines.filter((line) => line.trimStart().startsWith("- ") && line.includes(`${variable} (`))).toHaveLength(1);
    }
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(200);
  });

  test("a tenant that never answers ends at the time budget with a clear message", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    const env = {
      VERIFY_IMPORT_JOB_CLIENT_ID: "a".repeat(32),
      VERIFY_IMPORT_JOB_CLIENT_SECRET: "import-job-secret",
      VERIFY_TEST_CLIENT_ID: "b".repeat(32),
      VERIFY_TEST_CLIENT_SECRET: "test-client-secret",
      VERIFY_TEST_USER_PASSWORD: "test-user-password",
      VERIFY_PORTAL_CLIENT_ID: "c".repeat(32),
      VERIFY_PORTAL_CLIENT_SECRET: "portal-client-secret",
    };
    const run = io({ env, fetch: hanging });
    const result = main(["--stack", "dev", "--timeout", "5"], run.io);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await result).toBe(1);
    expect(run.out.stdout).toContain("timed out after 5 s (--timeout) while fetching the tenant's JWKS");
    for (const secret of Object.values(env).slice(1)) expect(run.out.stdout).not.toContain(secret);
  });
});

describe("secrets never printed", () => {
  test("whatever the secrets, a run that cannot finish never shows one", async () => {
    const secretNames = ["VERIFY_IMPORT_JOB_CLIENT_SECRET", "VERIFY_TEST_CLIENT_SECRET", "VERIFY_TEST_USER_PASSWORD"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...secretNames]),
        fc.stringMatching(/^[A-Za-z0-9!#%&*+._~-]{12,40}$/),
        fc.constantFrom("text", "json", "markdown"),
        async (given, secret, format) => {
          const env: Record<string, string> = { VERIFY_IMPORT_JOB_CLIENT_ID: "a".repeat(32), VERIFY_TEST_CLIENT_ID: "b".repeat(32) };
          for (const name of given) env[name] = `${name}-${secret}`;
          // A tenant that refuses every connection: verify stops with what it could not do.
          const run = io({ env, fetch: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:443")) });
          expect(await main(["--stack", "dev", "--format", format], run.io)).toBe(1);
          for (const name of given) expect(run.out.stdout + run.out.stderr).not.toContain(env[name]);
        },
      ),
      { seed: 14, numRuns: 40 },
    );
  });
});

describe("verify's inputs", () => {
  test("a private_key_jwt import job needs its private key, from a variable or a key file, never a secret", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const spec = buildTenantSpec(
      {
        environment: "staging",
        domain: "exampleco-staging.eu.auth0.com",
        apiIdentifier: "https://timesheets.staging.exampleco.com/api",
        importJobAuthMethod: "private_key_jwt",
        importJobPublicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
      },
      "staging",
    );
    const outputs = () => Promise.resolve({ importJobClientId: "c".repeat(32) });
    const missing = await verifyInputs(spec, {}, {}, outputs, false);
    expect(missing).toEqual({
      ok: false,
      error: [
        "missing a value; give each in one of the ways listed:",
        "- the import job's private key (PEM): VERIFY_IMPORT_JOB_PRIVATE_KEY (or VERIFY_IMPORT_JOB_PRIVATE_KEY_STAGING), --import-job-key-file <path>",
      ].join("\n"),
    });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const found = await verifyInputs(spec, {}, { VERIFY_IMPORT_JOB_PRIVATE_KEY_STAGING: pem }, outputs, true);
    expect(found.ok && found.inputs.importJob).toEqual({
      clientId: "c".repeat(32),
      auth: { method: "private_key_jwt", privateKeyPem: pem, algorithm: "RS256" },
    });
  });

  test("with several stacks, only variables named for the stack count", async () => {
    const spec = loadStackSpec("prod");
    const env = { VERIFY_IMPORT_JOB_CLIENT_ID: "x".repeat(32), VERIFY_IMPORT_JOB_CLIENT_SECRET: "shared" };
    const several = await verifyInputs(spec, {}, env, () => Promise.resolve({}), true);
    expect(several.ok).toBe(false);
    const one = await verifyInputs(spec, {}, env, () => Promise.resolve({}), false);
    expect(one.ok).toBe(true);
  });
});

describe("exit codes", () => {
  const pass = verification("dev", [row("import-job.scope", true, "exactly batch:upload", "batch:upload")]);
  const fail = verification("staging", [row("import-job.scope", false, "exactly batch:upload", "approve:timesheets batch:upload")]);
  const error = verification("prod", [], "missing the import job's client secret");

  test("0 all pass, 2 a check fails, 1 could not run, and could-not-run wins", () => {
    expect(exitCodeFor([pass])).toBe(0);
    expect(exitCodeFor([pass, fail])).toBe(2);
    expect(exitCodeFor([fail, error])).toBe(1);
    expect(exitCodeFor([])).toBe(1);
  });
});
