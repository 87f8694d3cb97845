import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { stringify } from "yaml";
import { loadTenantSpec } from "../infra/config/load";
import * as pulumi from "@pulumi/pulumi";
import { declareTimesheetsTenant } from "../infra/program";
import { runProgram, secretInput, type RegisteredResource } from "./offline-run";
import { encryptedKeys, engineConfigFor, loadStackSpec, REPO_ROOT, resolveStack } from "./stack-config";
import { parseCommand, scriptCommand } from "./cli";
import { compareRenders, POLICY_TYPES } from "./render-compare";
import { FileProblem } from "./problems";
import { EXIT_ERROR, EXIT_OK, isRefusal, runAsProcess } from "./exit-codes";

export { compareRenders, prettyXml } from "./render-compare";

export const OFFLINE_NOTE =
  "Rendered offline: the real program under Pulumi's in-process mocks with this stack's config. " +
  "Neither Auth0 nor Azure was contacted and no state was read; values a provider assigns are marked as known after deployment, and secrets are masked.";

export interface RenderedResource {
  readonly type: string;
  readonly name: string;
  readonly parent: string | undefined;
  readonly protect: boolean;
  readonly inputs: unknown;
}

export interface RenderedStack {
  readonly stack: string;
  readonly note: string;
  readonly resources: readonly RenderedResource[];
  /** APIM policy documents by resource name, as they would be sent. */
  readonly policies: Readonly<Record<string, string>>;
}

/** Replaces every secret with a mask, at any depth. */
export function maskSecrets(value: unknown): unknown {
  const { secret, value: plain } = secretInput(value);
  if (secret) return "[secret]";
  if (Array.isArray(plain)) return plain.map(maskSecrets);
  if (typeof plain === "object" && plain !== null) {
    return Object.fromEntries(Object.entries(plain).map(([key, inner]) => [key, maskSecrets(inner)]));
  }
  return plain;
}

function rendered(resource: RegisteredResource): RenderedResource {
  return {
    type: resource.type,
    name: resource.name,
    parent: resource.parentName,
    protect: resource.protect,
    inputs: maskSecrets(resource.inputs),
  };
}

/** Everything a stack declares, evaluated offline. */
export async function renderStack(stack: string, root = REPO_ROOT): Promise<RenderedStack> {
  // The stack file is checked as the file it is first (YAML, namespaces, plain-text secrets), so a
  // refusal names the file; then the program runs with exactly the engine's view of it.
  loadStackSpec(stack, root);
  const config = engineConfigFor(stack, "placeholders", root);
  const run = await runProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec()), {
    secretKeys: encryptedKeys(stack, root),
    computed: "placeholders",
  });
  const resources = run.resources.map(rendered);
  const policies: Record<string, string> = {};
  for (const resource of resources) {
    const value = (resource.inputs as { value?: unknown }).value;
    if (POLICY_TYPES.has(resource.type) && typeof value === "string") policies[resource.name] = value;
  }
  return { stack, note: OFFLINE_NOTE, resources, policies };
}

/**
 * The check `npm run render` makes of a stack, shared by every command that runs Pulumi on it:
 * the stack file read as a file, then the program run offline with it. A refusal comes back
 * as the one message render prints (`error: ...`); a fault of ours is thrown.
 */
export async function renderChecked(
  stack: string,
  root = REPO_ROOT,
): Promise<{ ok: true; render: RenderedStack } | { ok: false; message: string }> {
  try {
    return { ok: true, render: await renderStack(stack, root) };
  } catch (error) {
    if (!isRefusal(error) && !pulumi.RunError.isInstance(error)) throw error;
    return { ok: false, message: `error: ${(error as Error).message}` };
  }
}

/** Where renders go, a folder per stack: never a build's folder, which a rebuild replaces whole (stacks/build). */
export const RENDER_DIR = path.join(REPO_ROOT, "out");

/** Writes out/<stack>/resources.json and one XML file per policy; returns the folder. A folder that cannot be written is refused. */
export function writeRender(render: RenderedStack, outRoot = RENDER_DIR): string {
  const folder = path.join(outRoot, render.stack);
  const write = (file: string, text: string): void => {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    } catch (error) {
      throw new FileProblem(file, "write", error);
    }
  };
  write(path.join(folder, "resources.json"), `${JSON.stringify(render, null, 2)}\n`);
  for (const [name, xml] of Object.entries(render.policies)) write(path.join(folder, "policies", `${name}.xml`), `${xml}\n`);
  return folder;
}

export interface RenderIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly outRoot?: string;
  /** Where the stack files are; the repository root when absent. */
  readonly root?: string;
}

/** `npm run render -- --stack prod` or `-- --compare dev prod`: returns the exit code. */
export async function main(argv: readonly string[], io: RenderIo): Promise<number> {
  const program = scriptCommand("render")
    .description(`Show what a stack declares without any cloud access. ${OFFLINE_NOTE}`)
    .option("--stack <name>", "render one stack and write it under out/<stack>/")
    .option("--compare <stacks...>", "show how two stacks' declarations differ")
    .exitOverride()
    .configureOutput({ writeErr: (text) => io.stderr(text.trimEnd()), writeOut: (text) => io.stdout(text.trimEnd()) });
  const parsed = parseCommand<{ stack?: string; compare?: string[] }>(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const options = parsed.options;
  const requested = options.compare ?? (options.stack === undefined ? [] : [options.stack]);
  if (requested.length === 0 || (options.compare !== undefined && (options.compare.length !== 2 || options.stack !== undefined))) {
    io.stderr("error: say what to render: --stack <name>, or --compare <stack> <stack>");
    return EXIT_ERROR;
  }
  for (const stack of requested) {
    const resolved = resolveStack(stack, io.root);
    if (!resolved.ok) {
      io.stderr(resolved.message);
      return EXIT_ERROR;
    }
  }

  const renders: RenderedStack[] = [];
  for (const stack of requested) {
    const checked = await renderChecked(stack, io.root);
    // A refused stack file or config is said in its own words; nothing is written.
    if (!checked.ok) {
      io.stderr(checked.message);
      return EXIT_ERROR;
    }
    renders.push(checked.render);
  }
  io.stderr(OFFLINE_NOTE);
  if (options.compare !== undefined) {
    const [left, right] = renders as [RenderedStack, RenderedStack];
    const lines = compareRenders(left, right);
    io.stdout(lines.length === 0 ? `${left.stack} and ${right.stack} declare the same resources` : lines.join("\n"));
    return EXIT_OK;
  }
  const render = renders[0] as RenderedStack;
  io.stdout(stringify({ stack: render.stack, resources: render.resources }));
  for (const [name, xml] of Object.entries(render.policies)) io.stdout(`# policy ${name}\n${xml}`);
  try {
    io.stderr(`written to ${writeRender(render, io.outRoot)}`);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    io.stderr(`error: ${error.message}`);
    return EXIT_ERROR;
  }
  return EXIT_OK;
}

if (require.main === module) {
  runAsProcess("render", () => main(process.argv.slice(2), { stdout: (text) => console.log(text), stderr: (text) => console.error(text) }));
}
