import { execFile, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { main as drift } from "../../stacks/drift/main";
import { describeFailure } from "../../stacks/exit-codes";
import { main as prComment } from "../../stacks/pr-comment";
import { FileProblem, MissingTool, pulumiProblem, Refusal } from "../../stacks/problems";
import { main as render } from "../../stacks/render";
import { REPO_ROOT } from "../../stacks/stack-config";
import { verifyInputs } from "../../stacks/verify/inputs";
import { main as verify } from "../../stacks/verify/main";
import { main as replay } from "../e2e/stand-in/replay";

// A user's situation (a missing tool, a missing or unreadable file, an unreachable host) is said
// in a line or a few with what to do, and exits 1: never a stack trace. A fault of ours keeps its trace.

const TRACE = /\n\s+at .+:\d+:\d+/;

function captured() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    line: { stdout: (text: string) => (out.stdout += `${text}\n`), stderr: (text: string) => (out.stderr += `${text}\n`) },
  };
}

/** A copy of the repository's stack files in a folder of its own, to break one. */
function stackFolder(): string {
  const root = mkdtempSync(path.join(tmpdir(), "situations-"));
  for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"])
    copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  return root;
}

/** An error as Node's spawn gives it for a program that is not installed. */
function spawnError(program: string): Promise<Error> {
  return new Promise((resolve) => spawn(program, [], { env: { PATH: "/nonexistent" } }).on("error", resolve));
}

describe("how a process ends on an error", () => {
  test("a refusal prints its message alone; a program not installed names itself and how to install it", async () => {
    expect(describeFailure("render", new FileProblem("/x/out.json", "write", Object.assign(new Error("x"), { code: "EACCES" })))).toBe(
      "error: cannot write /x/out.json: permission denied",
    );
    expect(describeFailure("runner", await spawnError("pulumi"))).toBe(
      "error: the Pulumi CLI (pulumi) is not installed (or not on PATH): install it from https://www.pulumi.com/docs/install/",
    );
    expect(describeFailure("x", await spawnError("no-such-tool-here"))).toBe(
      "error: no-such-tool-here is not installed (or not on PATH): install no-such-tool-here",
    );
  });

  test("any refusal, whatever its message, is said without a trace; a fault of ours keeps its trace", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (message) => {
        const said = describeFailure("audit", new Refusal(message));
        expect(said).toBe(`error: ${message}`);
        expect(said).not.toMatch(TRACE);
      }),
      { seed: 22, numRuns: 100 },
    );
    expect(describeFailure("audit", new TypeError("x is undefined"))).toMatch(/^audit failed: TypeError: x is undefined\n\s+at /);
  });

  test("a process that meets a user's situation exits 1 with one line, no trace", async () => {
    const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        tsx,
        ["stacks/pr-comment.ts", "--stack", "dev", "--exit-code", "0", "--input", "/nonexistent/preview.txt"],
        { cwd: REPO_ROOT },
        (error, _stdout, stderr) => resolve({ code: typeof error?.code === "number" ? error.code : 0, stderr }),
      ),
    );
    expect(result).toEqual({ code: 1, stderr: "error: cannot read /nonexistent/preview.txt: no such file or folder\n" });
  });
});

describe("the Pulumi CLI's errors", () => {
  test("come down to the line that says what failed", () => {
    const commandError = new Error(
      "code: 255\n stdout: Previewing refresh (dev):\n\n stderr: error: failed to decrypt encrypted configuration value 'timesheets:x': incorrect passphrase\n    more detail\n err?: Error: exit 255\n",
    );
    expect(pulumiProblem(commandError)).toBe("failed to decrypt encrypted configuration value 'timesheets:x': incorrect passphrase");
    expect(pulumiProblem(new Error("spawn pulumi ENOENT"), "use npm run audit")).toBe(
      new MissingTool("pulumi", "use npm run audit").message,
    );
  });

  test("whatever the CLI printed, one line of at most 300 characters", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 400 }), (stdout, stderr) => {
        const said = pulumiProblem(new Error(`code: 1\n stdout: ${stdout}\n stderr: ${stderr}\n err?: Error\n`));
        expect(said).not.toContain("\n");
        expect(said.length).toBeLessThanOrEqual(300);
      }),
      { seed: 22, numRuns: 200 },
    );
  });

  test("the drift check says a failed refresh preview in one line", async () => {
    const c = captured();
    const workspace = {
      previewRefresh: () =>
        Promise.reject(new Error("code: 255\n stdout: \n stderr: error: PULUMI_CONFIG_PASSPHRASE is not set\n err?: x\n")),
    };
    expect(await drift(["--stack", "dev"], {}, { stdout: c.stdout, stderr: c.stderr, workspace })).toBe(1);
    expect(c.out.stdout).toContain("  the refresh preview failed: PULUMI_CONFIG_PASSPHRASE is not set\n");
  });
});

describe("files", () => {
  test("a stack file that cannot be read is refused naming it", async () => {
    const root = stackFolder();
    mkdirSync(path.join(root, "Pulumi.broken.yaml"));
    const c = captured();
    expect(await render(["--stack", "broken"], { ...c.line, root, outRoot: root })).toBe(1);
    expect(c.out.stderr).toBe(
      "error: Pulumi.broken.yaml: is a directory, not a stack file; expected a YAML file with config: at the top\n",
    );
  });

  test("render refuses an output folder it cannot write, after printing the render", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "render-out-"));
    const outRoot = path.join(root, "out");
    writeFileSync(outRoot, "a file where the folder should be");
    const c = captured();
    expect(await render(["--stack", "dev"], { ...c.line, outRoot })).toBe(1);
    expect(c.out.stderr).toMatch(
      new RegExp(
        `error: cannot write ${outRoot}/dev/resources.json: (a part of the path is a file, not a folder|it exists and is in the way)\\n$`,
      ),
    );
    expect(c.out.stderr).not.toMatch(TRACE);
  });

  test("verify names a key file it cannot read", async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
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
    const result = await verifyInputs(
      spec,
      { importJobKeyFile: "/nonexistent/key.pem" },
      {},
      () => Promise.resolve({ importJobClientId: "c" }),
      false,
    );
    expect(result.ok ? "" : result.error.split("\n")[0]).toBe(
      "cannot read --import-job-key-file /nonexistent/key.pem: no such file or folder",
    );
  });

  test("the replay names a recordings folder that is not there", async () => {
    const c = captured();
    expect(await replay(["/nonexistent/recordings"], c)).toBe(1);
    expect(c.out.stderr).toBe("error: cannot read recordings in /nonexistent/recordings: no such file or folder\n");
  });

  test("the pull-request comment names an input it cannot read", async () => {
    const c = captured();
    expect(await prComment(["--stack", "dev", "--exit-code", "1", "--input", "/nonexistent/preview.txt"], c)).toBe(1);
    expect(c.out.stderr).toBe("error: cannot read /nonexistent/preview.txt: no such file or folder\n");
  });
});

describe("an unreachable host", () => {
  test("verify says which host and why, in words", async () => {
    const c = captured();
    const unreachable: typeof fetch = () =>
      Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }) }));
    const env = {
      VERIFY_IMPORT_JOB_CLIENT_ID: "a".repeat(32),
      VERIFY_IMPORT_JOB_CLIENT_SECRET: "s",
      VERIFY_TEST_CLIENT_ID: "b".repeat(32),
      VERIFY_TEST_CLIENT_SECRET: "t",
      VERIFY_TEST_USER_PASSWORD: "p",
      VERIFY_PORTAL_CLIENT_ID: "c".repeat(32),
      VERIFY_PORTAL_CLIENT_SECRET: "u",
    };
    expect(await verify(["--stack", "dev"], { env, stdout: c.stdout, stderr: c.stderr, fetch: unreachable })).toBe(1);
    expect(c.out.stdout).toContain(
      "error: could not finish while fetching the tenant's JWKS: could not connect to exampleco-dev.eu.auth0.com (no such host)",
    );
  });
});
