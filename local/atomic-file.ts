import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";

/**
 * Replaces `file` with `text` so that a reader, or a process killed at any instant, finds
 * either the old content whole or the new content whole: the text goes to a temporary file
 * in the same folder (same file system, so the rename is atomic), is flushed to disk, and is
 * renamed over the file; the folder is flushed too, so the rename itself survives a crash.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  const temporary = path.join(path.dirname(file), `${temporaryPrefix(file)}${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const descriptor = openSync(temporary, "w", mode);
  try {
    writeSync(descriptor, text);
    fsyncSync(descriptor);
  } catch (error) {
    closeSync(descriptor);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(descriptor);
  renameSync(temporary, file);
  syncFolder(path.dirname(file));
}

const temporaryPrefix = (file: string): string => `.${path.basename(file)}.`;

/**
 * Removes the temporary copies of `file` that a process killed mid-write left behind (each a
 * whole copy: for the tenant file, secrets included). Only those of processes that are gone:
 * a write in progress in another process keeps its own.
 */
export function removeStaleTemporaries(file: string): void {
  const prefix = temporaryPrefix(file);
  let names: string[];
  try {
    names = readdirSync(path.dirname(file));
  } catch {
    return; // No folder yet: nothing left behind.
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = name.slice(prefix.length).split(".")[0] ?? "";
    if (/^\d+$/.test(pid) && !running(Number(pid))) rmSync(path.join(path.dirname(file), name), { force: true });
  }
}

function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function syncFolder(folder: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(folder, "r");
    fsyncSync(descriptor);
  } catch {
    // Some file systems refuse to flush a folder; the rename is still atomic there.
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}
