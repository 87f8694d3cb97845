import { spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import type { Capture, Exec } from "../../stacks/runner-steps/pulumi-cli";
import { PULUMI, RUN_TIMEOUT_MS } from "./engine";

// The real CLI as the runner's `exec` and `capture`, in a project folder of the test's, with the
// program served inline: the Node.js language host cannot be built here (docs/engine.md), so for
// each `up` and `preview` a language runtime server of the program's own @pulumi/pulumi (the one
// its Automation API starts for inline programs) listens on 127.0.0.1:0 and the CLI is pointed at
// it (`--client`, `--exec-kind auto.inline`), exactly what the Automation API hands the CLI.

/* eslint-disable @typescript-eslint/no-require-imports -- the Automation API's own server, not part of its typed surface */
const { LanguageServer } = require("@pulumi/pulumi/automation/server") as {
  LanguageServer: new (program: () => Promise<unknown>) => grpc.UntypedServiceImplementation & { onPulumiExit(hasError: boolean): void };
};
const { LanguageRuntimeService } = require("@pulumi/pulumi/proto/language_grpc_pb") as { LanguageRuntimeService: grpc.ServiceDefinition };
const { grpcChannelOptions } = require("@pulumi/pulumi/runtime/settings") as { grpcChannelOptions: grpc.ChannelOptions };
/* eslint-enable @typescript-eslint/no-require-imports */

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly output: string;
}

export interface InlineCli {
  readonly exec: Exec;
  readonly capture: Capture;
  /** Every run, with what it printed (stdout and stderr). */
  readonly runs: CliRun[];
}

async function serve(program: () => Promise<unknown>): Promise<{ address: string; stop: (failed: boolean) => void }> {
  const server = new grpc.Server(grpcChannelOptions);
  const language = new LanguageServer(program);
  server.addService(LanguageRuntimeService, language);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    stop: (failed) => {
      language.onPulumiExit(failed);
      server.forceShutdown();
    },
  };
}

function runCli(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(PULUMI, [...args, "--non-interactive"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => ((stdout += chunk), (output += chunk)));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, output });
    });
  });
}

/** The CLI in `projectDir`, `program` served to each `up` and `preview`. */
export function inlineCli(projectDir: string, program: () => Promise<unknown>): InlineCli {
  const runs: CliRun[] = [];
  const exec: Exec = async (args, env) => {
    const inline = args[0] === "up" || args[0] === "preview" ? await serve(program) : undefined;
    const extra = inline === undefined ? [] : [`--client=${inline.address}`, "--exec-kind", "auto.inline"];
    const result = await runCli(projectDir, [...args, ...extra], env);
    inline?.stop(result.code !== 0);
    runs.push({ args: [...args], code: result.code, output: result.output });
    return result.code;
  };
  const capture: Capture = async (args, env) => {
    const result = await runCli(projectDir, args, env);
    runs.push({ args: [...args], code: result.code, output: result.output });
    return { code: result.code, stdout: result.stdout };
  };
  return { exec, capture, runs };
}
