import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { judgeLock, stackLockLines, type StackLock } from "../../stacks/runner-steps/stack-locks";
import { main, renderCheck, type RunnerIo } from "../../stacks/runner";

// A lock in a file backend as Pulumi writes it (.pulumi/locks/organization/<project>/<stack>/<id>.json).

const devCheck = renderCheck("dev", path.resolve(__dirname, "../.."));
const credentials = { AUTH0_CLIENT_ID: "deployer", AUTH0_CLIENT_SECRET: "s3cret" };

function backendWithLocks(locks: { pid: number; hostname: string }[]): { url: string; files: string[] } {
  const folder = mkdtempSync(path.join(tmpdir(), "timesheets-locks-"));
  const dir = path.join(folder, ".pulumi", "locks", "organization", "timesheets", "dev");
  mkdirSync(dir, { recursive: true });
  const files = locks.map((lock, n) => {
    const file = path.join(dir, `0000000${n}-4a6f-4c1e-9d1b-5e2f0c7a9b3d.json`);
    writeFileSync(file, JSON.stringify({ ...lock, username: "deployer", timestamp: "2026-12-06T03:58:01Z" }));
    return file;
  });
  return { url: `file://${folder}`, files };
}

/** The pid of a process that has ended. */
function endedPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid as number;
}

function run(command: "up" | "preview", url: string) {
  const calls: string[][] = [];
  const errors: string[] = [];
  const io: RunnerIo = {
    env: { ...credentials, PULUMI_BACKEND_URL: url },
    stderr: (line) => errors.push(line),
    exec: (args) => (calls.push([...args]), Promise.resolve(0)),
    capture: (args) => (calls.push([...args]), Promise.resolve({ code: 0, stdout: '{"version":3,"deployment":{}}' })),
    cliInstalled: () => true,
    checkStack: () => devCheck,
  };
  return main([command, "--stack", "dev", "--yes"].slice(0, command === "up" ? 4 : 3), io).then((code) => ({ code, calls, errors }));
}

describe("a stack locked in a file backend", () => {
  test("by a process of this host that no longer runs: named stale, with pid, host, time and the command to clear it; nothing runs, the lock stays", async () => {
    const pid = endedPid();
    const { url, files } = backendWithLocks([{ pid, hostname: hostname() }]);
    const { code, calls, errors } = await run("up", url);
    expect(code).toBe(1);
    expect(calls.map((c) => c.slice(0, 2).join(" "))).toEqual(["stack select"]);
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error: dev is locked by a deploy that no longer runs: pid ${pid} of deployer@${hostname()}, since 2026-12-06T03:58:01Z .*the lock is stale: clear it with \`PULUMI_BACKEND_URL=${url} pulumi cancel --stack dev --yes\``,
        ),
      ),
    ]);
    expect(existsSync(files[0] as string)).toBe(true);
  });

  test("by a process that still runs, or from another host: never offered to clear by ourselves as stale", async () => {
    const live = await run("up", backendWithLocks([{ pid: process.pid, hostname: hostname() }]).url);
    expect(live.code).toBe(1);
    expect(live.errors).toEqual([
      expect.stringMatching(/^error: dev is being deployed by a process that still runs: pid \d+ .*wait for it to end/),
    ]);
    expect(live.errors[0]).not.toContain("pulumi cancel");
    const foreign = await run("up", backendWithLocks([{ pid: endedPid(), hostname: "ci-runner-7" }]).url);
    expect(foreign.errors).toEqual([
      expect.stringMatching(/^error: dev is locked from another machine: pid \d+ of deployer@ci-runner-7.*only once it has surely ended/),
    ]);
  });

  test("a preview takes no lock, so a lock does not stop it; a free stack goes on", async () => {
    const preview = await run("preview", backendWithLocks([{ pid: endedPid(), hostname: hostname() }]).url);
    expect(preview.code).toBe(0);
    const free = await run("up", backendWithLocks([]).url);
    expect(free.code).toBe(0);
    expect(free.calls.map((c) => c[0])).toContain("up");
  });

  test("stale only when certain: this host and no such process; the clearing command never while a deploy here runs", () => {
    const lock = fc.record({
      pid: fc.integer({ min: 1, max: 1 << 22 }),
      hostname: fc.constantFrom("this-host", "other-host"),
      running: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(lock, { minLength: 1, maxLength: 3, selector: (l) => l.pid }), (locks) => {
        const running = new Map(locks.map((l) => [l.pid, l.running]));
        const here = { hostname: "this-host", running: (pid: number) => running.get(pid) ?? false };
        const asLocks: StackLock[] = locks.map((l) => ({ ...l, file: "f", username: "u", timestamp: "t" }));
        for (const l of asLocks) {
          const verdict = judgeLock(l, here);
          if (verdict === "stale") expect([l.hostname, here.running(l.pid)]).toEqual(["this-host", false]);
        }
        const folder = mkdtempSync(path.join(tmpdir(), "timesheets-locks-"));
        const dir = path.join(folder, ".pulumi", "locks", "organization", "timesheets", "dev");
        mkdirSync(dir, { recursive: true });
        asLocks.forEach((l, n) => writeFileSync(path.join(dir, `${n}.json`), JSON.stringify(l)));
        const lines = stackLockLines("dev", "timesheets", `file://${folder}`, "/", here);
        expect(lines).toHaveLength(locks.length);
        // `pulumi cancel` removes every lock: never offered while a deploy of this host runs; always for a stale one otherwise.
        const clears = (line: string) => line.includes("pulumi cancel --stack dev --yes`");
        const anyLive = asLocks.some((l) => judgeLock(l, here) === "live");
        if (anyLive) expect(lines.filter(clears)).toEqual([]);
        else
          for (const l of asLocks.filter((l) => judgeLock(l, here) === "stale"))
            expect(lines.filter((line) => line.includes(`pid ${l.pid} `)).every(clears)).toBe(true);
      }),
      { seed: 61, numRuns: 40 },
    );
  });
});
