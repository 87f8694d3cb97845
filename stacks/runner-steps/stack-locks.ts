import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { clearLocksCommand } from "../fixes";
import { fileBackendFolder } from "./backend";

/** A lock Pulumi's file backend writes while an update runs (pkg/backend/diy/lock.go: pid, username, hostname, timestamp). */
export interface StackLock {
  readonly file: string;
  readonly pid: number;
  readonly username: string;
  readonly hostname: string;
  readonly timestamp: string;
}

const lockFile = z.object({ pid: z.number().int(), username: z.string(), hostname: z.string(), timestamp: z.string() });

/**
 * The locks on a stack in a file backend's folder: `.pulumi/locks/<org>/<project>/<stack>/` for
 * project-scoped stacks (Pulumi's layout since 3.61, `organization` as the org), `.pulumi/locks/<stack>/` for older ones.
 * A file that is no lock is still a lock to Pulumi: it is kept, with what could be read of it.
 */
export function fileBackendLocks(folder: string, stack: string, project: string): StackLock[] {
  const dirs = [path.join(folder, ".pulumi", "locks", "organization", project, stack), path.join(folder, ".pulumi", "locks", stack)];
  return dirs.flatMap((dir) => {
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
    return names.map((name) => {
      const file = path.join(dir, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        parsed = undefined;
      }
      const lock = lockFile.safeParse(parsed);
      return lock.success ? { file, ...lock.data } : { file, pid: 0, username: "?", hostname: "?", timestamp: "?" };
    });
  });
}

export type LockVerdict = "stale" | "live" | "foreign";

/** Where the runner runs: its host name, and whether a process of this host runs. */
export interface ThisHost {
  readonly hostname: string;
  readonly running: (pid: number) => boolean;
}

/** Whether a process of this machine runs: signal 0 checks without sending (EPERM: it runs, as another user). */
export function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export const THIS_HOST: ThisHost = { hostname: os.hostname(), running: processRuns };

/**
 * Stale only when it is certain: the lock names this host and no process with its pid runs.
 * A lock of another host cannot be checked from here, and a running pid may be the update.
 */
export function judgeLock(lock: StackLock, here: ThisHost): LockVerdict {
  if (lock.hostname !== here.hostname) return "foreign";
  return here.running(lock.pid) ? "live" : "stale";
}

/**
 * The one line a lock gets: whose, since when, and what to do; the runner never clears a lock
 * itself. `pulumi cancel` deletes every lock of the stack, so it is offered only while no lock
 * is held by a process that runs here (`noneLive`).
 */
export function lockLine(stack: string, lock: StackLock, verdict: LockVerdict, backendUrl: string, noneLive = true): string {
  const holder = `pid ${lock.pid} of ${lock.username}@${lock.hostname}, since ${lock.timestamp} (${lock.file})`;
  const clear = clearLocksCommand(stack, backendUrl);
  switch (verdict) {
    case "stale":
      return noneLive
        ? `error: ${stack} is locked by a deploy that no longer runs: ${holder}; no process ${lock.pid} runs on this host, so the lock is stale: clear it with ${clear}, then run this again (an interrupted deploy's creates are then adopted, see docs/runbooks.md#a-deploy-was-interrupted)`
        : `error: ${stack} is locked by a deploy that no longer runs: ${holder}; the lock is stale, but \`pulumi cancel\` would also remove the lock of the deploy that runs: wait for it first`;
    case "live":
      return `error: ${stack} is being deployed by a process that still runs: ${holder}; wait for it to end (the lock is never cleared while it runs)`;
    case "foreign":
      return `error: ${stack} is locked from another machine: ${holder}; this host cannot tell whether it still runs: wait for that deploy${noneLive ? `, and only once it has surely ended (its CI run finished or cancelled) clear the lock with ${clear}` : ""}`;
  }
}

/** The lines that stop an update of a stack held by locks in a file backend; none when it is free or the backend is no folder. */
export function stackLockLines(stack: string, project: string, backendUrl: string, cwd: string, here: ThisHost = THIS_HOST): string[] {
  const folder = fileBackendFolder(backendUrl, cwd);
  if (folder === undefined) return [];
  const locks = fileBackendLocks(folder, stack, project);
  const noneLive = locks.every((lock) => judgeLock(lock, here) !== "live");
  return locks.map((lock) => lockLine(stack, lock, judgeLock(lock, here), backendUrl, noneLive));
}
