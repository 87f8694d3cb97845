import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { SavedTenant } from "./auth0";
import { removeStaleTemporaries, writeFileAtomic } from "./atomic-file";
import { firstProblem, savedTenantSchema } from "./tenant-schema";

// The local tenant between starts: one JSON file in the git-ignored `.local/` folder, holding
// what the tenant holds (the signing keys and client secrets too, so that tokens and the Pulumi
// state of the local stack stay true after a restart). It is a test tenant's secrets on this
// machine, readable by its owner only (0600). Each change replaces the file atomically.

/**
 * A tenant file that exists but cannot be used, said in one line; `fixedByReset`: a new local
 * tenant is the way out (the command that makes one prints it).
 */
export class TenantFileError extends Error {
  constructor(
    message: string,
    readonly fixedByReset: boolean,
  ) {
    super(message);
    this.name = "TenantFileError";
  }
}

/**
 * The saved tenant, or undefined where there is none yet. Read whole against one schema
 * (tenant-schema.ts): any damage is refused in one line naming the file and the way out, and
 * the file is left as it is (never rewritten, never deleted). Before reading, the file is put
 * back to its owner only (0600) if it was opened to others, and the temporary copies a killed
 * write left beside it (whole tenants, secrets included) are removed.
 */
export function readTenantFile(file: string): SavedTenant | undefined {
  removeStaleTemporaries(file);
  if (!existsSync(file)) return undefined;
  keepPrivate(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new TenantFileError(`the local tenant in ${file} cannot be read (${(error as Error).message})`, true);
  }
  const checked = savedTenantSchema.safeParse(parsed);
  if (!checked.success)
    throw new TenantFileError(`the local tenant in ${file} is not a tenant this version can read (${firstProblem(checked.error)})`, true);
  return checked.data;
}

/** The tenant's secrets are its owner's: a file opened to others is closed again, or refused where that cannot be done. */
function keepPrivate(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(file, 0o600);
  } catch (error) {
    throw new TenantFileError(
      `the local tenant in ${file} is readable by others (mode ${mode.toString(8)}) and cannot be made private (${(error as Error).message}); make it 0600, or start a new local tenant`,
      true,
    );
  }
}

export function writeTenantFile(file: string, saved: SavedTenant): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, JSON.stringify(saved));
}

/** `--reset`: the tenant is gone; the next start makes a new one (the certificate authority stays). */
export function removeTenantFile(file: string): boolean {
  const existed = existsSync(file);
  rmSync(file, { force: true });
  return existed;
}
