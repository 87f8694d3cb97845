import { rmSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { Command, Option } from "commander";
import {
  DEFAULT_AUTH0_PORT,
  DEFAULT_GATEWAY_PORT,
  localPaths,
  localTrust,
  roleFromTenantFile,
  startLocalMode,
  type LocalMode,
} from "../../local/local-mode";
import { ROLE_NAMES, type Role } from "../../local/roles";
import { removeTenantFile, TenantFileError } from "../../local/tenant-file";
import { parseCommand, scriptCommand, wholeNumber } from "../cli";
import { EXIT_ERROR, EXIT_OK, isRefusal } from "../exit-codes";
import { LOCAL_RESET_FIX, localCheckFailedFix } from "../fixes";
import { REPO_ROOT } from "../stack-config";
import type { Output } from "../terminal";
import { PULUMI_MISSING, pulumiOnPath } from "../runner-steps/pulumi-cli";
import { roleEnvironment, runSteps, type StepIo } from "./steps";
import { exportLines, nextSteps, summary } from "./summary";

export interface LocalIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Output;
  readonly stderr: Output;
  /** The repository; REPO_ROOT when absent. */
  readonly root?: string;
  /** The folder local mode keeps its files in; `<root>/.local` when absent. */
  readonly folder?: string;
  /** Runs the Pulumi CLI; when given, PATH is not searched for one (tests). */
  readonly exec?: StepIo["exec"];
  readonly capture?: StepIo["capture"];
  readonly readOutputs?: StepIo["readOutputs"];
  /** Resolves when the user stops serving; Ctrl-C (SIGINT) or SIGTERM when absent. */
  readonly untilStopped?: () => Promise<void>;
  /** Told once the tenant and gateway serve (the benchmark's clock). */
  readonly onServing?: (local: LocalMode) => void;
}

interface LocalOptions {
  readonly check: boolean;
  readonly env?: Role;
  readonly reset: boolean;
  readonly serveOnly: boolean;
  readonly auth0Port: number;
  readonly gatewayPort: number;
}

const port = wholeNumber(0, 65535);

/** The ports when no flag names them: LOCAL_AUTH0_PORT / LOCAL_GATEWAY_PORT, else the defaults the local stack file names; a bad value is one line. */
function portDefaults(env: NodeJS.ProcessEnv): { auth0Port: number; gatewayPort: number } | string {
  const read = (name: string, fallback: number): number | string => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    return Number.isInteger(value) && value >= 0 && value <= 65535
      ? value
      : `error: ${name} is ${JSON.stringify(raw)}; expected a whole number from 0 to 65535`;
  };
  const auth0Port = read("LOCAL_AUTH0_PORT", DEFAULT_AUTH0_PORT);
  const gatewayPort = read("LOCAL_GATEWAY_PORT", DEFAULT_GATEWAY_PORT);
  if (typeof auth0Port === "string") return auth0Port;
  if (typeof gatewayPort === "string") return gatewayPort;
  return { auth0Port, gatewayPort };
}

function command(io: LocalIo, defaults: { auth0Port: number; gatewayPort: number }): Command {
  return scriptCommand("local")
    .description(
      "The whole stack on this machine: start the local Auth0 and the local gateway, deploy the local stack with the Pulumi CLI, prove a second run changes nothing, verify and audit it, then keep serving until Ctrl-C.",
    )
    .option("--check", "do it all once, stop, and exit 0 only if every step passed (1 naming the step that failed)", false)
    .addOption(
      new Option("--env <role>", "print the shell export lines of a role's credentials for the local tenant, start nothing").choices(
        ROLE_NAMES,
      ),
    )
    .option("--reset", "forget the local tenant and the local stack's state first (the certificate authority stays)", false)
    .option("--serve-only", "start the local tenant and gateway and serve, without deploying (no Pulumi CLI needed)", false)
    .option("--auth0-port <port>", "the local Auth0's HTTPS port on 127.0.0.1 (or LOCAL_AUTH0_PORT)", port, defaults.auth0Port)
    .option("--gateway-port <port>", "the local gateway's HTTPS port on 127.0.0.1 (or LOCAL_GATEWAY_PORT)", port, defaults.gatewayPort)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
}

/** What NODE_EXTRA_CA_CERTS does for a child process, for this one (Node 22.19 and 24.5 added the call; npm scripts run Node 24). */
function trustInThisProcess(caPem: string): void {
  if (typeof tls.setDefaultCACertificates !== "function")
    throw new Error(
      `npm run local needs Node 22.19 or newer (this is ${process.version}); run it through npm, which uses the project's Node 24`,
    );
  tls.setDefaultCACertificates([...new Set([...tls.getCACertificates("default"), caPem])]);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** `npm run local`: returns the exit code; never exits the process itself. */
export async function main(argv: readonly string[], io: LocalIo): Promise<number> {
  const defaults = portDefaults(io.env);
  if (typeof defaults === "string") {
    io.stderr.write(`${defaults}\n`);
    return EXIT_ERROR;
  }
  const parsed = parseCommand<LocalOptions>(command(io, defaults), argv);
  if (!parsed.ok) return parsed.exitCode;
  const options = parsed.options;
  const root = io.root ?? REPO_ROOT;
  const paths = localPaths(io.folder ?? path.join(root, ".local"));
  try {
    if (options.reset) resetLocal(paths, io);
    if (options.env !== undefined) return await printEnv(paths, options, io);
    // Checked before anything is started: without the CLI nothing below can pass.
    if (!options.serveOnly && io.exec === undefined && !pulumiOnPath(io.env)) {
      io.stderr.write(`${PULUMI_MISSING}\n`);
      return EXIT_ERROR;
    }
    return await run(root, paths, options, io);
  } catch (error) {
    if (error instanceof TenantFileError || isRefusal(error)) {
      const fix = error instanceof TenantFileError && error.fixedByReset ? `; ${LOCAL_RESET_FIX}` : "";
      io.stderr.write(`error: ${error.message}${fix}\n`);
      return EXIT_ERROR;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      io.stderr.write(
        `error: a port local mode needs is taken (${(error as Error).message.replace(/^.*EADDRINUSE: address already in use /, "")}); is npm run local already running? Otherwise choose others with --auth0-port / --gateway-port\n`,
      );
      return EXIT_ERROR;
    }
    throw error;
  }
}

function resetLocal(paths: ReturnType<typeof localPaths>, io: LocalIo): void {
  const existed = removeTenantFile(paths.tenantFile);
  // The state describes the tenant just forgotten: keeping it would make Pulumi believe in objects that are gone.
  rmSync(paths.stateDir, { recursive: true, force: true });
  io.stderr.write(existed ? `local tenant and state in ${paths.folder} wiped\n` : `no local tenant in ${paths.folder} to wipe\n`);
}

async function printEnv(paths: ReturnType<typeof localPaths>, options: LocalOptions, io: LocalIo): Promise<number> {
  const role = options.env as Role;
  const trust = await localTrust(paths);
  const found = await roleFromTenantFile(paths, options.auth0Port, role);
  io.stdout.write(exportLines(roleEnvironment({ paths, trust }, found.domain, found)));
  return EXIT_OK;
}

async function run(root: string, paths: ReturnType<typeof localPaths>, options: LocalOptions, io: LocalIo): Promise<number> {
  const local = await startLocalMode({
    repoRoot: root,
    folder: paths.folder,
    auth0Port: options.auth0Port,
    gatewayPort: options.gatewayPort,
  });
  try {
    // verify and audit run in this process: it trusts the local authority as the child processes do through NODE_EXTRA_CA_CERTS.
    trustInThisProcess(local.trust.caPem);
    io.onServing?.(local);
    io.stderr.write(
      `local Auth0 on https://${local.auth0.domain}, local gateway on ${local.gateway.url} (tenant kept in ${paths.tenantFile})\n`,
    );
    if (options.serveOnly) {
      io.stdout.write(nextSteps(local, root));
      await (io.untilStopped ?? untilSignal)();
      return EXIT_OK;
    }
    const results = await runSteps(local, {
      env: io.env,
      write: (text) => io.stderr.write(text),
      exec: io.exec,
      capture: io.capture,
      readOutputs: io.readOutputs,
    });
    const failed = results.filter((step) => !step.passed);
    io.stdout.write(summary(local, results));
    if (options.check) {
      if (failed.length > 0)
        io.stderr.write(
          `error: npm run local -- --check failed at: ${failed.map((step) => step.step).join(", ")}; ${localCheckFailedFix()}\n`,
        );
      return failed.length === 0 ? EXIT_OK : EXIT_ERROR;
    }
    io.stdout.write(nextSteps(local, root));
    io.stdout.write("serving until Ctrl-C\n");
    await (io.untilStopped ?? untilSignal)();
    return failed.length === 0 ? EXIT_OK : EXIT_ERROR;
  } finally {
    await local.close();
  }
}
