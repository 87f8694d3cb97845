import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./engine";

// Azurite, Microsoft's Azure Storage emulator (npm `azurite`), as a child process on 127.0.0.1
// and a port the system picks (0), in a folder of its own; stopped by the test that started it.
// Its account and key are the emulator's well-known development ones, public by design.

export const ACCOUNT = "devstoreaccount1";
export const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** An account SAS for the blob service (sp: r read, l list, w write, d delete, a add, c create). */
  sas(permissions: string): string;
  createContainer(name: string): Promise<void>;
  /** Every blob of a container, by name, with its ETag: what a run wrote, or did not. */
  blobs(container: string): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

/**
 * An account SAS (signed version 2020-08-04, whose string to sign has no encryption scope):
 * account, permissions, services, resource types, start, expiry, IP, protocol, version.
 */
function accountSas(permissions: string): string {
  const fields = {
    sv: "2020-08-04",
    ss: "b",
    srt: "sco",
    sp: permissions,
    se: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
    spr: "https,http",
  };
  const toSign = [ACCOUNT, fields.sp, fields.ss, fields.srt, "", fields.se, "", fields.spr, fields.sv, ""].join("\n");
  const sig = createHmac("sha256", Buffer.from(ACCOUNT_KEY, "base64")).update(toSign, "utf8").digest("base64");
  return new URLSearchParams({ ...fields, sig }).toString();
}

export async function startAzurite(): Promise<Azurite> {
  const location = await mkdtemp(path.join(os.tmpdir(), "timesheets-azurite-"));
  const child: ChildProcess = spawn(
    path.join(REPO_ROOT, "node_modules", ".bin", "azurite-blob"),
    ["--blobHost", "127.0.0.1", "--blobPort", "0", "--location", location, "--skipApiVersionCheck", "--disableTelemetry", "--silent"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const host = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 60 s: ${seen}`)), 60_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk;
      const found = /listens on http:\/\/(127\.0\.0\.1:\d+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1] as string);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}) before it listened: ${seen}`));
    });
  });
  const base = `http://${host}/${ACCOUNT}`;
  const full = accountSas("rwdlac");
  return {
    host,
    sas: accountSas,
    async createContainer(name) {
      const answer = await fetch(`${base}/${name}?restype=container&${full}`, { method: "PUT", headers: { "x-ms-version": "2020-08-04" } });
      if (answer.status !== 201) throw new Error(`creating container ${name}: ${answer.status} ${await answer.text()}`);
    },
    async blobs(container) {
      const answer = await fetch(`${base}/${container}?restype=container&comp=list&${full}`, { headers: { "x-ms-version": "2020-08-04" } });
      const xml = await answer.text();
      if (answer.status !== 200) throw new Error(`listing ${container}: ${answer.status} ${xml}`);
      const found = new Map<string, string>();
      for (const blob of xml.matchAll(/<Blob>.*?<Name>(.*?)<\/Name>.*?<Etag>(.*?)<\/Etag>.*?<\/Blob>/gs))
        found.set(blob[1] as string, blob[2] as string);
      return found;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(location, { recursive: true, force: true });
    },
  };
}
