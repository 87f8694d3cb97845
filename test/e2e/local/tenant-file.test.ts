import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import tls from "node:tls";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { startAuth0StandIn } from "../../support/stand-in";
import { startLocalMode } from "../../../local/local-mode";
import { ROLES } from "../../../local/roles";
import { readTenantFile, TenantFileError } from "../../../local/tenant-file";
import { REPO_ROOT } from "../../../stacks/stack-config";
import { localFolder, runLocal } from "./run-local";

// The local tenant is kept in a file so that stopping and starting keeps what was deployed
// (Pulumi's state stays true), `--reset` forgets it, and a kill at any moment leaves a file
// that can be read.

const start = (folder: string) => startLocalMode({ repoRoot: REPO_ROOT, folder, auth0Port: 0, gatewayPort: 0 });

async function token(origin: string, clientId: string, clientSecret: string, audience: string): Promise<Response> {
  return fetch(`${origin}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, audience }),
  });
}

describe("the local tenant between starts", () => {
  test("a new tenant holds the Management API, the default database connection, the global client and the three role applications with their scopes", async () => {
    const local = await start(localFolder());
    try {
      const { tenant } = local.auth0.standIn;
      expect([...tenant.connections.values()].map((connection) => connection.name)).toEqual(["Username-Password-Authentication"]);
      expect(tenant.resourceServerByIdentifier(tenant.managementAudience)?.is_system).toBe(true);
      // Every Auth0 tenant's "All Applications", then the three applications of local mode, and nothing else.
      expect([...tenant.clients.values()].map((client) => [client.name, client.global === true]).sort()).toEqual(
        [["All Applications", true], ...Object.values(ROLES).map((role) => [role.name, false])].sort(),
      );
      for (const role of ["deployer", "previewer", "auditor"] as const) {
        const { clientId } = local.credentials(role);
        expect(tenant.clients.get(clientId)?.name).toBe(ROLES[role].name);
        expect(tenant.grantFor(clientId, tenant.managementAudience)?.scope).toEqual([...ROLES[role].scopes]);
      }
    } finally {
      await local.close();
    }
  });

  test("a restart keeps the tenant: same address, same objects, same secrets, and a token issued before still verifies", async () => {
    const folder = localFolder();
    const first = await start(folder);
    const deployer = first.credentials("deployer");
    const globalClient = structuredClone(first.auth0.standIn.tenant.globalClient());
    const audience = first.auth0.standIn.managementAudience;
    let before: string;
    let apiId: string;
    try {
      trust(first.trust.caPem);
      const issued = (await (await token(first.auth0.origin, deployer.clientId, deployer.clientSecret, audience)).json()) as {
        access_token: string;
      };
      before = issued.access_token;
      const created = await fetch(`${first.auth0.origin}/api/v2/resource-servers`, {
        method: "POST",
        headers: { authorization: `Bearer ${before}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Kept", identifier: "https://kept.exampleco.com/api" }),
      });
      expect(created.status).toBe(201);
      apiId = ((await created.json()) as { id: string }).id;
    } finally {
      await first.close();
    }

    const second = await start(folder);
    try {
      expect(second.auth0.domain).toBe(first.auth0.domain);
      expect(second.credentials("deployer")).toEqual(deployer);
      expect(second.auth0.standIn.tenant.globalClient()).toEqual(globalClient);
      const read = await fetch(`${second.auth0.origin}/api/v2/resource-servers/${apiId}`, {
        headers: { authorization: `Bearer ${before}` },
      });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { identifier: string }).identifier).toBe("https://kept.exampleco.com/api");
      expect((await token(second.auth0.origin, deployer.clientId, deployer.clientSecret, audience)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  test("another port than the saved tenant's is refused in one line naming both and the way out", async () => {
    const folder = localFolder();
    const first = await start(folder);
    await first.close();
    const run = await runLocal(["--serve-only", "--auth0-port", "1"], { folder });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error: the local tenant in .* lives at ${first.auth0.domain.replace(/\./g, "\\.")}, not 127\\.0\\.0\\.1:1: .*--reset`),
    );
  });

  test("--reset wipes the tenant and the stack's state: the next tenant has new applications", async () => {
    const folder = localFolder();
    const env = async () => (await runLocal(["--env", "deployer"], { folder })).stdout;
    const before = await env();
    writeFileSync(path.join(folder, "state-marker"), "");
    expect(await env()).toBe(before);
    const reset = await runLocal(["--reset", "--env", "deployer"], { folder });
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/local tenant and state in .* wiped/);
    expect(reset.stdout).not.toBe(before);
    expect(reset.stdout.match(/AUTH0_CLIENT_ID='(\w+)'/)?.[1]).not.toBe(before.match(/AUTH0_CLIENT_ID='(\w+)'/)?.[1]);
    expect(existsSync(path.join(folder, "state"))).toBe(false);
  });

  test("a file that is not a tenant is refused with the way out, never half-used", async () => {
    const folder = localFolder();
    writeFileSync(path.join(folder, "tenant.json"), '{"format": 1, "domain": "127.0.0.1:7443"');
    expect(() => readTenantFile(path.join(folder, "tenant.json"))).toThrow(TenantFileError);
    const run = await runLocal(["--env", "auditor"], { folder });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the local tenant in .* cannot be read .*`npm run local -- --reset` starts a new local tenant\n$/);
  });

  test("a process killed while it writes the tenant, at any moment, leaves a tenant that can be read and started", async () => {
    const folder = localFolder();
    const file = path.join(folder, "tenant.json");
    const delays = [0, 19, 53];
    for (const delay of delays) {
      await killWhileWriting(file, delay);
      const saved = readTenantFile(file);
      expect(saved?.domain).toBe("127.0.0.1:7443");
      const standIn = await startAuth0StandIn({ domain: "127.0.0.1:7443", restore: saved });
      const clients = [...standIn.tenant.clients.values()];
      expect(clients.map((client) => client.name)).toContain("client 0");
      expect(clients.filter((client) => client.global === true)).toHaveLength(1);
      await standIn.close();
    }
    // The last kill leaves the file whole too; at most the temporary file of the write it cut lies beside it.
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ format: 1 });
  }, 60_000);
});

/** Lets the writer make its first write, then SIGKILLs it `delayMs` later: mid-write or between writes, whichever it is then. */
function killWhileWriting(file: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "kill-writer.ts"), file], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let writing = false;
    child.stdout.once("data", () => {
      writing = true;
      setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      writing && signal === "SIGKILL"
        ? resolve()
        : reject(new Error(`the writer ended by itself (${String(code ?? signal)}) before it was killed`)),
    );
  });
}

/** Node's own fetch trusts the local authority, as NODE_EXTRA_CA_CERTS would make it. */
function trust(caPem: string): void {
  tls.setDefaultCACertificates([...new Set([...tls.getCACertificates("default"), caPem])]);
}
