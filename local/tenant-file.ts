import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { SavedTenant } from "./auth0";
import { writeFileAtomic } from "./atomic-file";

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

// Only the frame is checked here; the documents inside are the stand-in's own, written by it.
const savedTenantFrame = z.looseObject({
  format: z.literal(1),
  domain: z.string().min(1),
  configurationKey: z.string().min(1),
  keys: z.looseObject({ rs256: z.array(z.unknown()).min(1), clientCertificate: z.unknown() }),
  tenant: z.looseObject({
    resourceServers: z.array(z.unknown()),
    clients: z.array(z.unknown()),
    credentials: z.array(z.unknown()),
    clientGrants: z.array(z.unknown()),
    connections: z.array(z.unknown()),
    users: z.array(z.unknown()),
    passwords: z.array(z.unknown()),
  }),
});

/** The saved tenant, or undefined where there is none yet. */
export function readTenantFile(file: string): SavedTenant | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new TenantFileError(`the local tenant in ${file} cannot be read (${(error as Error).message})`, true);
  }
  if (!savedTenantFrame.safeParse(parsed).success)
    throw new TenantFileError(`the local tenant in ${file} is not a tenant this version can read`, true);
  return parsed as SavedTenant;
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
