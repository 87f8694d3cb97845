import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { parseDocument } from "yaml";
import type { TenantSpec } from "../infra/config/spec";
import { loadStackSpec, stackFilePath } from "../stacks/stack-config";
import { startGatewayServer, type GatewayServer } from "./apim/gateway-server";
import { startAuth0StandIn } from "./auth0";
import { TenantState } from "./auth0/store";
import { startHttpsAuth0StandIn, type HttpsAuth0StandIn } from "./auth0/https";
import { writeFileAtomic } from "./atomic-file";
import { roleCredentials, seedRoles, type Role, type RoleCredentials } from "./roles";
import { readTenantFile, TenantFileError, writeTenantFile } from "./tenant-file";
import { localAuthority, type LocalAuthority } from "./tls";

// `npm run local`'s machine: the local Auth0 and the local gateway of the `local` stack, on
// fixed loopback ports, with what they keep in one git-ignored folder (`.local/`):
//   authority.json, ca.pem  the certificate authority (local/tls.ts), made once
//   trust.pem               Node's public roots plus that authority: SSL_CERT_FILE for the Pulumi
//                           CLI and its plugins, which must still reach the internet for plugins
//   tenant.json             the local tenant (local/tenant-file.ts)
//   state/                  the local stack's Pulumi state (file backend)
//   stack/                  the local stack file with the addresses actually bound, when they
//                           differ from the committed one (another port by flag, or port 0 in tests)

export const LOCAL_STACK = "local";
export const DEFAULT_AUTH0_PORT = 7443;
export const DEFAULT_GATEWAY_PORT = 7444;
/** The local stack's secrets are a local test tenant's: a fixed passphrase, so nothing waits for input. */
export const LOCAL_PASSPHRASE = "timesheets-local-mode";

export interface LocalPaths {
  readonly folder: string;
  readonly tenantFile: string;
  readonly trustFile: string;
  readonly stateDir: string;
  readonly stackDir: string;
}

export function localPaths(folder: string): LocalPaths {
  return {
    folder,
    tenantFile: path.join(folder, "tenant.json"),
    trustFile: path.join(folder, "trust.pem"),
    stateDir: path.join(folder, "state"),
    stackDir: path.join(folder, "stack"),
  };
}

/** The authority, and the trust bundle that adds it to the public roots (for Go's SSL_CERT_FILE, which replaces them). */
export async function localTrust(paths: LocalPaths): Promise<LocalAuthority & { trustFile: string }> {
  const authority = await localAuthority(paths.folder);
  const bundle = `${[...rootCertificates, authority.caPem.trim()].join("\n")}\n`;
  let current = "";
  try {
    current = readFileSync(paths.trustFile, "utf8");
  } catch {
    // Not written yet.
  }
  if (current !== bundle) writeFileAtomic(paths.trustFile, bundle, 0o644);
  return { ...authority, trustFile: paths.trustFile };
}

/** Where the local stack's files are for these addresses: the repository when they are the committed ones, else a copy made for them. */
export interface LocalStack {
  readonly spec: TenantSpec;
  /** The folder holding Pulumi.yaml and Pulumi.local.yaml as verify and audit must read them. */
  readonly root: string;
  /** Passed to the Pulumi CLI as --config-file when the addresses are not the committed ones. */
  readonly configFile: string | undefined;
}

export function localStackFor(repoRoot: string, paths: LocalPaths, domain: string, gatewayAddress: string): LocalStack {
  const committed = loadStackSpec(LOCAL_STACK, repoRoot);
  const service = committed.gateway?.service;
  if (service?.mode !== "local") throw new TenantFileError(`Pulumi.${LOCAL_STACK}.yaml: timesheets:apim.mode must be local`, false);
  if (committed.tenant.domain === domain && service.address === gatewayAddress)
    return { spec: committed, root: repoRoot, configFile: undefined };
  // The committed file with the two addresses replaced, comments and all: the rest stays the stack's own.
  const document = parseDocument(readFileSync(stackFilePath(LOCAL_STACK, repoRoot), "utf8"));
  document.setIn(["config", "timesheets:domain"], domain);
  document.setIn(["config", "timesheets:apim", "address"], gatewayAddress);
  mkdirSync(paths.stackDir, { recursive: true });
  copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(paths.stackDir, "Pulumi.yaml"));
  const configFile = stackFilePath(LOCAL_STACK, paths.stackDir);
  writeFileSync(configFile, document.toString());
  return { spec: loadStackSpec(LOCAL_STACK, paths.stackDir), root: paths.stackDir, configFile };
}

export interface LocalModeOptions {
  /** The repository: where Pulumi.yaml and Pulumi.local.yaml are. */
  readonly repoRoot: string;
  /** `.local/` of the checkout, or a test's own folder. */
  readonly folder: string;
  /** 0 takes any free port (tests), or the saved tenant's own. */
  readonly auth0Port: number;
  readonly gatewayPort: number;
}

export interface LocalMode {
  readonly auth0: HttpsAuth0StandIn;
  readonly gateway: GatewayServer;
  readonly stack: LocalStack;
  readonly paths: LocalPaths;
  readonly trust: LocalAuthority & { trustFile: string };
  credentials(role: Role): RoleCredentials;
  close(): Promise<void>;
}

/** Starts the local Auth0 (its tenant restored, or a new one with the three role applications) and the local gateway for the local stack. */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const paths = localPaths(options.folder);
  const trust = await localTrust(paths);
  const auth0 = await startHttpsAuth0StandIn(paths.folder, { port: options.auth0Port, tenantFile: paths.tenantFile });
  let gateway: GatewayServer | undefined;
  let stack: LocalStack;
  try {
    // The policies need only the tenant's address; the gateway's own is known once it listens.
    const provisional = localStackFor(options.repoRoot, paths, auth0.domain, `127.0.0.1:${options.gatewayPort || DEFAULT_GATEWAY_PORT}`);
    gateway = await startGatewayServer({ spec: provisional.spec, fetch: auth0.standIn.fetch, authority: trust, port: options.gatewayPort });
    stack = localStackFor(options.repoRoot, paths, auth0.domain, new URL(gateway.url).host);
  } catch (error) {
    // A start that fails leaves nothing listening.
    await Promise.all([gateway?.close(), auth0.close()]);
    throw error;
  }
  const started = gateway;
  return {
    auth0,
    gateway: started,
    stack,
    paths,
    trust,
    credentials(role) {
      const found = roleCredentials(auth0.standIn.tenant, role);
      if (found === undefined) throw new TenantFileError(`the local tenant has no ${role} application any more`, true);
      return found;
    },
    close: () => Promise.all([started.close(), auth0.close()]).then(() => undefined),
  };
}

/**
 * The role's credentials from the tenant file, for `--env`: starts no server. Where there is no
 * tenant yet, one is made for `auth0Port` (and saved), as the first `npm run local` would.
 */
export async function roleFromTenantFile(paths: LocalPaths, auth0Port: number, role: Role): Promise<{ domain: string } & RoleCredentials> {
  let saved = readTenantFile(paths.tenantFile);
  if (saved === undefined) {
    const standIn = await startAuth0StandIn({ domain: `127.0.0.1:${auth0Port}` });
    try {
      await seedRoles(standIn);
      saved = await standIn.saved();
      writeTenantFile(paths.tenantFile, saved);
    } finally {
      await standIn.close();
    }
  }
  const tenant = new TenantState(saved.domain);
  tenant.restore(saved.tenant);
  const found = roleCredentials(tenant, role);
  if (found === undefined) throw new TenantFileError(`the local tenant has no ${role} application any more`, true);
  return { domain: saved.domain, ...found };
}
