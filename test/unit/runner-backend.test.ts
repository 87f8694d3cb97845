import { existsSync, mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fileBackendFolder } from "../../stacks/runner-steps/backend";
import { main, renderCheck, type RunnerIo } from "../../stacks/runner";
import { EMPTY_STATE } from "../support/empty-state";

const credentials = { AUTH0_CLIENT_ID: "deployer", AUTH0_CLIENT_SECRET: "s3cret" };
const devCheck = renderCheck("dev", path.resolve(__dirname, "../.."));

function harness(env: NodeJS.ProcessEnv) {
  const calls: { args: string[]; backend: string | undefined }[] = [];
  const errors: string[] = [];
  const record = (args: readonly string[], childEnv: NodeJS.ProcessEnv) => {
    calls.push({ args: [...args], backend: childEnv.PULUMI_BACKEND_URL });
    return 0;
  };
  const io: RunnerIo = {
    env,
    stderr: (line) => errors.push(line),
    exec: async (args, childEnv) => record(args, childEnv),
    capture: async (args, childEnv) => ({ code: record(args, childEnv), stdout: EMPTY_STATE }),
    cliInstalled: () => true,
    checkStack: () => devCheck,
  };
  return { io, calls, errors };
}

describe("state in automation", () => {
  test("up and preview with CI or GITHUB_ACTIONS set and no backend (unset, empty or blank) are refused in one line before Pulumi runs", async () => {
    const automation = fc.oneof(
      fc.record({ CI: fc.constantFrom("true", "1", "yes", "TRUE") }),
      fc.record({ GITHUB_ACTIONS: fc.constantFrom("true", "1") }),
    );
    const noBackend = fc.constantFrom<Record<string, string>>({}, { PULUMI_BACKEND_URL: "" }, { PULUMI_BACKEND_URL: "  " });
    await fc.assert(
      fc.asyncProperty(automation, noBackend, fc.constantFrom("up", "preview"), async (ci, backend, command) => {
        const { io, calls, errors } = harness({ ...credentials, ...ci, ...backend });
        expect(await main([command, "--stack", "dev"], io)).toBe(1);
        expect(calls).toEqual([]);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^error: PULUMI_BACKEND_URL is not set and this runs in automation .*docs\/state\.md\)$/);
      }),
      { seed: 25, numRuns: 20 },
    );
  });

  test("in automation with a backend, and outside automation without one, the run goes on", async () => {
    const shared = harness({ ...credentials, CI: "true", PULUMI_BACKEND_URL: "azblob://pulumi-state" });
    expect(await main(["up", "--stack", "dev", "--yes"], shared.io)).toBe(0);
    expect(shared.calls.every((call) => call.backend === "azblob://pulumi-state")).toBe(true);
    const alone = harness({ ...credentials, CI: "false" });
    expect(await main(["preview", "--stack", "dev"], alone.io)).toBe(0);
    expect(alone.calls.length).toBeGreaterThan(0);
  });
});

describe("a file backend given by URL", () => {
  test("has its folder created before Pulumi opens it", async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), "timesheets-backend-")), "state", "nested");
    const url = `file://${folder}`;
    const { io, calls } = harness({ ...credentials, PULUMI_BACKEND_URL: url });
    expect(await main(["up", "--stack", "dev", "--yes"], io)).toBe(0);
    expect(existsSync(folder)).toBe(true);
    expect(calls[0]?.backend).toBe(url);
  });

  test("is read in each of Pulumi's forms: absolute, in the home folder, relative to where the CLI runs, with a query", () => {
    expect(fileBackendFolder("file:///srv/state", "/repo")).toBe("/srv/state");
    expect(fileBackendFolder("file://~/state", "/repo")).toBe(path.join(homedir(), "state"));
    expect(fileBackendFolder("file://.local/state", "/repo")).toBe("/repo/.local/state");
    expect(fileBackendFolder("file:///srv/state?no_tmp_dir=true", "/repo")).toBe("/srv/state");
    expect(fileBackendFolder("azblob://state", "/repo")).toBeUndefined();
  });
});
