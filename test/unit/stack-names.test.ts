import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { main as adopt } from "../../stacks/adopt";
import { main as audit } from "../../stacks/audit/main";
import { main as drift } from "../../stacks/drift/main";
import { EXIT_ERROR } from "../../stacks/exit-codes";
import { main as render } from "../../stacks/render";
import { main as runner } from "../../stacks/runner";
import { listStacks, resolveStack } from "../../stacks/stack-config";
import { main as verify } from "../../stacks/verify/main";

/** What a command did with a `--stack` name: its exit code, what it said, and whether it reached anything outside. */
interface Outcome {
  readonly code: number;
  readonly stderr: string;
  readonly reached: string[];
}

const env = { AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "secret", AUTH0_AUDITOR_CLIENT_ID: "id", AUTH0_AUDITOR_CLIENT_SECRET: "secret" };

function recorder() {
  const reached: string[] = [];
  const err: string[] = [];
  const out: string[] = [];
  const fetch = ((input: unknown) => {
    reached.push(`fetch ${String(input)}`);
    return Promise.reject(new Error("no network in this test"));
  }) as typeof globalThis.fetch;
  return { reached, err, out, fetch };
}

/** Every command that takes --stack; a new one is one more row. */
const COMMANDS: Record<string, (stack: string) => Promise<Outcome>> = {
  audit: async (stack) => {
    const r = recorder();
    const code = await audit(["--stack", stack], env, {
      stdout: { write: (t) => r.out.push(t) },
      stderr: { write: (t) => r.err.push(t) },
      fetch: r.fetch,
    });
    return { code, stderr: r.err.join("").trim(), reached: r.reached };
  },
  drift: async (stack) => {
    const r = recorder();
    const workspace = {
      previewRefresh: (name: string) => {
        r.reached.push(`pulumi refresh --preview ${name}`);
        return Promise.reject(new Error("no Pulumi in this test"));
      },
    };
    const code = await drift(["--stack", stack], env, {
      stdout: { write: (t) => r.out.push(t) },
      stderr: { write: (t) => r.err.push(t) },
      workspace,
    });
    return { code, stderr: r.err.join("").trim(), reached: r.reached };
  },
  adopt: async (stack) => {
    const r = recorder();
    const code = await adopt(["--stack", stack], env, { stdout: (t) => r.out.push(t), stderr: (t) => r.err.push(t), fetch: r.fetch });
    return { code, stderr: r.err.join("\n").trim(), reached: r.reached };
  },
  ...Object.fromEntries(
    (["up", "preview"] as const).map((command) => [
      `runner ${command}`,
      async (stack: string): Promise<Outcome> => {
        const r = recorder();
        const exec = (args: readonly string[]) => {
          r.reached.push(`pulumi ${args.join(" ")}`);
          return Promise.resolve(0);
        };
        const code = await runner([command, "--stack", stack], { env, stderr: (t) => r.err.push(t), exec });
        return { code, stderr: r.err.join("\n").trim(), reached: r.reached };
      },
    ]),
  ),
  verify: async (stack) => {
    const r = recorder();
    const code = await verify(["--stack", stack], {
      env,
      stdout: { write: (t) => r.out.push(t) },
      stderr: { write: (t) => r.err.push(t) },
      fetch: r.fetch,
      readOutputs: (name) => {
        r.reached.push(`outputs of ${name}`);
        return Promise.reject(new Error("no Pulumi in this test"));
      },
    });
    return { code, stderr: r.err.join("").trim(), reached: r.reached };
  },
  render: async (stack) => {
    const r = recorder();
    const outRoot = mkdtempSync(path.join(tmpdir(), "render-names-"));
    const code = await render(["--stack", stack], { stdout: (t) => r.out.push(t), stderr: (t) => r.err.push(t), outRoot });
    return { code, stderr: r.err.join("\n").trim(), reached: readdirSync(outRoot).map((entry) => `wrote ${entry}`) };
  },
};

const refusal = (name: string): string => {
  const resolved = resolveStack(name);
  if (resolved.ok) throw new Error(`${name} is a stack`);
  return resolved.message;
};

describe.each(Object.keys(COMMANDS))("%s --stack", (command) => {
  const run = COMMANDS[command] as (stack: string) => Promise<Outcome>;

  test.each(["x/../../outside/evil", "../Pulumi.dev", "dev.yaml", "dev ", "", "prod/../dev", "C:\\dev"])(
    "refuses %j as no stack name, before reading or sending anything, in the shared words",
    async (name) => {
      const outcome = await run(name);
      expect(outcome).toEqual({ code: EXIT_ERROR, stderr: refusal(name), reached: [] });
      expect(outcome.stderr).toMatch(/^error: --stack ".*" is not a stack name; expected letters, digits, - and _ only/);
    },
  );

  test("refuses a well-formed name without a stack file, naming the stacks there are", async () => {
    const outcome = await run("qa");
    expect(outcome).toEqual({ code: EXIT_ERROR, stderr: refusal("qa"), reached: [] });
    expect(outcome.stderr).toContain(`the stacks of this repository are ${listStacks().join(", ")}`);
  });
});

test("any name that is not letters, digits, - and _ is refused by the resolver, and its message is one line", () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 0, maxLength: 40 }).filter((name) => !/^[A-Za-z0-9_-]+$/.test(name)),
      (name) => {
        const resolved = resolveStack(name);
        expect(resolved.ok).toBe(false);
        if (!resolved.ok) expect(resolved.message.split("\n")).toHaveLength(1);
      },
    ),
    { seed: 13, numRuns: 300 },
  );
});

test("every committed stack resolves to itself", () => {
  expect(listStacks().map((stack) => resolveStack(stack))).toEqual(listStacks().map((stack) => ({ ok: true, stack })));
});
