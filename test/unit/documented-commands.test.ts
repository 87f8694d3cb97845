import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { main as adopt } from "../../stacks/adopt";
import { main as audit } from "../../stacks/audit/main";
import { main as drift } from "../../stacks/drift/main";
import { main as render } from "../../stacks/render";
import { main as runner } from "../../stacks/runner";
import { REPO_ROOT } from "../../stacks/stack-config";
import { main as verify } from "../../stacks/verify/main";

/** Every document a user reads: the README and docs/. */
const DOCUMENTS = ["README.md", ...readdirSync(path.join(REPO_ROOT, "docs")).map((file) => path.join("docs", file))].filter((file) =>
  file.endsWith(".md"),
);
const text = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");
const scripts = Object.keys((JSON.parse(text("package.json")) as { scripts: Record<string, string> }).scripts);

/** Each `npm run <script>` a document shows, with the arguments it passes after `--` (up to the end of the code span or line). */
function documentedRuns(): { file: string; script: string; args: string[] }[] {
  return DOCUMENTS.flatMap((file) =>
    [...text(file).matchAll(/npm run (?:--silent )?([\w:-]+)((?: -- [^`\n|]*)?)/g)].map((match) => ({
      file,
      script: match[1] ?? "",
      args: (match[2] ?? "").replace(/^ -- /, "").trim().split(/\s+/).filter(Boolean),
    })),
  );
}

/** The lines of each fenced code block that is not of another language (mermaid, yaml, xml...). */
function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  let shell = false;
  for (const line of markdown.split("\n")) {
    const fence = /^\s*```\s*(\S*)/.exec(line);
    if (fence !== null) {
      if (current === undefined) {
        current = [];
        shell = ["", "sh", "bash", "shell", "console"].includes(fence[1] ?? "");
      } else {
        if (shell) blocks.push(current);
        current = undefined;
      }
    } else if (current !== undefined) current.push(line);
  }
  return blocks;
}

/** What a command prints for `--help`: the options it accepts. */
async function helpOf(script: string): Promise<string> {
  let out = "";
  const write = (t: string) => {
    out += `${t}\n`;
  };
  const sink = { write };
  const env = {};
  switch (script) {
    case "up":
    case "preview":
      await runner([script, "--help"], { env, stderr: write });
      break;
    case "render":
      await render(["--help"], { stdout: write, stderr: write });
      break;
    case "audit":
      await audit(["--help"], env, { stdout: sink, stderr: sink });
      break;
    case "drift":
      await drift(["--help"], env, { stdout: sink, stderr: sink });
      break;
    case "verify":
      await verify(["--help"], { env, stdout: sink, stderr: sink });
      break;
    case "adopt":
      await adopt(["--help"], env, { stdout: write, stderr: write });
      break;
    default:
      return "";
  }
  return out;
}

describe("the commands the documents show", () => {
  const runs = documentedRuns();

  test("the documents show commands (the scan finds them)", () => {
    expect(runs.map((r) => r.script)).toEqual(expect.arrayContaining(["up", "preview", "render", "audit", "drift", "verify", "adopt"]));
  });

  test.each(DOCUMENTS)("every npm script %s names exists", (file) => {
    const missing = runs.filter((r) => r.file === file && !scripts.includes(r.script)).map((r) => r.script);
    expect(missing).toEqual([]);
  });

  test("every flag shown after `--` is one the command accepts", async () => {
    const helps = new Map<string, string>();
    const unknown: string[] = [];
    for (const run of runs) {
      if (!helps.has(run.script)) helps.set(run.script, await helpOf(run.script));
      const help = helps.get(run.script) ?? "";
      // Prose punctuation after a flag is not part of it.
      for (const flag of run.args.filter((arg) => arg.startsWith("--")).map((arg) => arg.replace(/[;,.:)]+$/, ""))) {
        if (!new RegExp(`(^|[\\s,])${flag}([\\s,<=]|$)`, "m").test(help)) unknown.push(`${run.file}: npm run ${run.script} -- ${flag}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  test("every direct `pulumi` command on a stack in a code block runs on the runner's backend, not whatever backend is logged in", () => {
    const unbound: string[] = [];
    for (const file of DOCUMENTS) {
      for (const block of shellBlocks(text(file))) {
        block.forEach((line, index) => {
          if (!/^\s*pulumi (stack|preview|up|refresh|destroy|import)\b/.test(line)) return;
          if (!block.slice(0, index + 1).some((earlier) => /PULUMI_BACKEND_URL=/.test(earlier))) unbound.push(`${file}: ${line.trim()}`);
        });
      }
    }
    expect(unbound).toEqual([]);
  });
});
