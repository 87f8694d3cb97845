import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";

/**
 * Replaces `file` with `text` so that a reader, or a process killed at any instant, finds
 * either the old content whole or the new content whole: the text goes to a temporary file
 * in the same folder (same file system, so the rename is atomic), is flushed to disk, and is
 * renamed over the file; the folder is flushed too, so the rename itself survives a crash.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
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
