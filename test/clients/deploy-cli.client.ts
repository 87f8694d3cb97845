import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startHttpsAuth0StandIn, type HttpsAuth0StandIn } from "../../local/auth0/https";

// The Auth0 Deploy CLI (auth0-deploy-cli, a devDependency for this test only), a client no one
// here wrote, exports the local Auth0 and imports a small configuration into it, as it would with
// a real tenant. It runs as its own process (it cannot be handed a fetch), reaching the local
// Auth0 over HTTPS with the run's certificate authority in NODE_EXTRA_CA_CERTS.
//
// The Deploy CLI validates its whole schema before an import, which takes it tens of seconds on
// a busy two-core machine; hence its own script and timeouts.
//
// The export is whole: its `pages` read the login page from the tenant's global client ("All
// Applications", `GET /clients?is_global=true`), which the local tenant holds as every Auth0
// tenant does, and the other pages from the tenant settings.

const run = promisify(execFile);
const CLI = path.resolve(__dirname, "../../node_modules/auth0-deploy-cli/lib/index.js");
const API = "https://timesheets.deploy-cli.example.com/api";
const LOGIN_PAGE = "<html><body>Timesheets sign-in</body></html>";

let local: HttpsAuth0StandIn;
let dir: string;
let configFile: string;

interface DeployCliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function deployCli(args: readonly string[]): Promise<DeployCliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, "-c", configFile], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: local.caFile },
      encoding: "utf8",
      timeout: 150_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? String(error) };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "deploy-cli-"));
  local = await startHttpsAuth0StandIn(dir);
  const auth0 = local.standIn;
  // A tenant shaped like the one the program leaves: an API with permissions, a machine client
  // with a grant for one of them, a database connection with sign-ups closed.
  await auth0.createResourceServer({
    identifier: API,
    name: "Timesheets API",
    scopes: [{ value: "batch:upload" }, { value: "read:timesheets" }],
  });
  const job = await auth0.createClient({ name: "Timesheets Import Job", app_type: "non_interactive" });
  await auth0.createClientGrant({ client_id: job.client_id, audience: API, scope: ["batch:upload"] });
  await auth0.createConnection({
    name: "timesheets-users",
    strategy: "auth0",
    enabled_clients: [job.client_id],
    options: { disable_signup: true, brute_force_protection: true },
  });
  const { clientId, clientSecret } = await auth0.createManagementClient({ name: "Deploy CLI" });
  configFile = path.join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify({ AUTH0_DOMAIN: local.domain, AUTH0_CLIENT_ID: clientId, AUTH0_CLIENT_SECRET: clientSecret }), {
    mode: 0o600,
  });
});

afterAll(async () => {
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the Auth0 Deploy CLI against the local Auth0", () => {
  it("exports the tenant: its API, application, grant and database connection", async () => {
    const out = path.join(dir, "export");
    const exported = await deployCli(["export", "--format", "yaml", "--output_folder", out]);
    expect(exported.stderr + exported.stdout).toContain("Export Successful");
    expect(exported.code).toBe(0);
    expect(local.standIn.internalErrors).toEqual([]);
    // Every Management API answer was a success or a refusal the Deploy CLI reads as "not here".
    const failures = local.standIn.requests.filter((request) => request.status >= 500);
    expect(failures).toEqual([]);

    const tenant = parse(readFileSync(path.join(out, "tenant.yaml"), "utf8")) as Record<string, Array<Record<string, unknown>>>;
    expect(tenant.resourceServers).toEqual([expect.objectContaining({ identifier: API, name: "Timesheets API" })]);
    // The tenant's applications, which the Deploy CLI reads with is_global=false: never the global client.
    expect(tenant.clients?.map((client) => client.name).sort()).toEqual(["Deploy CLI", "Timesheets Import Job"]);
    // A new tenant's global client has no custom login page, and its settings no other page: no pages.
    expect(tenant.pages).toEqual([]);
    expect(local.standIn.requests.filter((request) => request.path === "/api/v2/clients" && request.query.is_global === "true")).toEqual([
      expect.objectContaining({ status: 200 }),
    ]);
    expect(tenant.clientGrants).toEqual(
      expect.arrayContaining([expect.objectContaining({ client_id: "Timesheets Import Job", audience: API, scope: ["batch:upload"] })]),
    );
    const database = tenant.databases?.find((connection) => connection.name === "timesheets-users");
    expect(database).toMatchObject({ strategy: "auth0", enabled_clients: ["Timesheets Import Job"] });
    expect(database?.options).toMatchObject({ disable_signup: true, brute_force_protection: true });
    // No sign-up behaviour invented beside disable_signup (the Deploy CLI refuses "block" with "required").
    expect((database?.options as { authentication_methods?: unknown }).authentication_methods).toMatchObject({
      password: { enabled: true, api_behavior: "required" },
    });
    expect(JSON.stringify(database?.options)).not.toContain("signup_behavior");
    // The kinds the local tenant does not model are exported as what they are: none.
    expect(tenant.actions).toEqual([]);
    expect(tenant.roles).toEqual([]);
    expect(tenant.organizations).toEqual([]);
  });

  it("imports a small configuration: an API, an application and its grant, a login page", async () => {
    const input = path.join(dir, "import.yaml");
    writeFileSync(path.join(dir, "login.html"), LOGIN_PAGE);
    writeFileSync(
      input,
      stringify({
        resourceServers: [
          { name: "Reports API", identifier: "https://reports.deploy-cli.example.com", scopes: [{ value: "read:reports" }] },
        ],
        clients: [{ name: "Reports Exporter", app_type: "non_interactive" }],
        clientGrants: [{ client_id: "Reports Exporter", audience: "https://reports.deploy-cli.example.com", scope: ["read:reports"] }],
        pages: [{ name: "login", enabled: true, html: "./login.html" }],
      }),
    );
    const imported = await deployCli(["import", "--input_file", input]);
    expect(imported.stderr + imported.stdout).toContain("Import Successful");
    expect(imported.code).toBe(0);
    const tenant = local.standIn.tenant;
    const reports = tenant.resourceServerByIdentifier("https://reports.deploy-cli.example.com");
    expect(reports?.scopes).toEqual([{ value: "read:reports" }]);
    const exporter = [...tenant.clients.values()].find((client) => client.name === "Reports Exporter");
    expect(exporter).toBeDefined();
    expect(tenant.grantFor(exporter?.client_id ?? "", "https://reports.deploy-cli.example.com")?.scope).toEqual(["read:reports"]);
    // The login page lives on the global client, still the tenant's only one.
    const globalClients = [...tenant.clients.values()].filter((client) => client.global === true);
    expect(globalClients).toEqual([
      expect.objectContaining({ name: "All Applications", custom_login_page: LOGIN_PAGE, custom_login_page_on: true }),
    ]);
    // What was there before is still there: without AUTH0_ALLOW_DELETE nothing is removed.
    expect(tenant.resourceServerByIdentifier(API)).toBeDefined();
    expect(local.standIn.internalErrors).toEqual([]);
  });

  it("exports the login page it imported, from the global client", async () => {
    const out = path.join(dir, "export-again");
    const exported = await deployCli(["export", "--format", "yaml", "--output_folder", out]);
    expect(exported.stderr + exported.stdout).toContain("Export Successful");
    expect(exported.code).toBe(0);
    const tenant = parse(readFileSync(path.join(out, "tenant.yaml"), "utf8")) as Record<string, Array<Record<string, unknown>>>;
    expect(tenant.pages).toEqual([{ name: "login", enabled: true, html: "./pages/login.html" }]);
    expect(readFileSync(path.join(out, "pages", "login.html"), "utf8")).toBe(LOGIN_PAGE);
    expect(tenant.clients?.map((client) => client.name)).not.toContain("All Applications");
  });
});
