import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpsAuth0StandIn, type HttpsAuth0StandIn } from "../../local/auth0/https";
import { REPO_ROOT, requireBuiltEngine, runPulumi } from "./engine";

// The stand-in as a real HTTPS server on 127.0.0.1, with a certificate made for the run. Two
// clients that live in processes of their own and know nothing of the stand-in reach it: the
// auth0 SDK on Node (trusting the run's authority through NODE_EXTRA_CA_CERTS) and a Go
// program built from the Go module proxy, the Pulumi CLI (trusting it through SSL_CERT_FILE,
// as the Terraform provider inside the auth0 plugin does: both use Go's crypto/tls). Without
// the authority, both refuse the server.

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const LIST_RESOURCE_SERVERS = path.join(__dirname, "list-resource-servers.ts");

interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runNode(env: Record<string, string>): Promise<ProcessRun> {
  return new Promise((resolve) => {
    execFile(TSX, [LIST_RESOURCE_SERVERS], { env, timeout: 60_000, killSignal: "SIGKILL", encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

describe("the Auth0 stand-in over HTTPS", () => {
  let dir: string;
  let https: HttpsAuth0StandIn;
  let clientEnv: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "timesheets-https-"));
    https = await startHttpsAuth0StandIn(dir);
    const { clientId, clientSecret } = await https.standIn.createManagementClient({ scopes: ["read:resource_servers"] });
    clientEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      AUTH0_DOMAIN: https.domain,
      AUTH0_CLIENT_ID: clientId,
      AUTH0_CLIENT_SECRET: clientSecret,
    };
  });

  afterAll(async () => {
    await https?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers the token endpoint and the Management API to the auth0 SDK in its own process", async () => {
    await https.standIn.createResourceServer({ name: "Timesheets API", identifier: "https://timesheets.dev.exampleco.com/api" });
    const run = await runNode({ ...clientEnv, NODE_EXTRA_CA_CERTS: https.caFile });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const identifiers = JSON.parse(run.stdout) as string[];
    // The Management API's own identifier is built on the domain with its port, as Auth0 builds it on the tenant's.
    expect(identifiers).toEqual(expect.arrayContaining([`https://${https.domain}/api/v2/`, "https://timesheets.dev.exampleco.com/api"]));
    const paths = https.standIn.requests.map((request) => `${request.method} ${request.path} ${request.status}`);
    expect(paths).toEqual(expect.arrayContaining(["POST /oauth/token 200", "GET /api/v2/resource-servers 200"]));
    expect(https.standIn.internalErrors).toEqual([]);
  });

  it("is refused by Node without the run's certificate authority", async () => {
    const before = https.standIn.requests.length;
    const run = await runNode(clientEnv);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/certificate/i);
    expect(https.standIn.requests.length).toBe(before);
  });

  describe("to a Go client built from the module proxy", () => {
    let home: string;
    beforeAll(async () => {
      requireBuiltEngine();
      home = await mkdtemp(path.join(os.tmpdir(), "timesheets-https-home-"));
    });
    afterAll(async () => {
      if (home) await rm(home, { recursive: true, force: true });
    });

    // `pulumi login https://HOST` asks HOST who the token belongs to; the stand-in is no Pulumi
    // Cloud and answers 404, which is only possible once TLS has been agreed.
    const login = (extra: Record<string, string>) =>
      runPulumi(["login", https.origin], home, {
        PATH: process.env.PATH ?? "",
        HOME: home,
        PULUMI_HOME: path.join(home, ".pulumi"),
        PULUMI_ACCESS_TOKEN: "pul-not-a-real-token",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        ...extra,
      });

    it("trusts the run's certificate through SSL_CERT_FILE", async () => {
      const before = https.standIn.requests.length;
      const run = await login({ SSL_CERT_FILE: https.caFile });
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/x509|certificate/i);
      const reached = https.standIn.requests.slice(before);
      expect(reached.length).toBeGreaterThan(0);
      expect(reached.every((request) => request.status === 404)).toBe(true);
    });

    it("refuses the server without it", async () => {
      const before = https.standIn.requests.length;
      const run = await login({});
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toMatch(/x509: certificate signed by unknown authority/);
      expect(https.standIn.requests.length).toBe(before);
    });
  });
});
