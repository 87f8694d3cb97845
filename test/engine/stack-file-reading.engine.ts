import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { engineConfigFor } from "../../stacks/stack-config";
import { createWorkspace, requireBuiltEngine, type Workspace } from "./engine";

// Our reading of a stack file against the real CLI's: every value the program is handed must be
// the text `pulumi config --json` shows (yaml.v3 scalars, merge keys, structured values as JSON).

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.dispose();
  workspace = undefined;
});

/** Plain scalars of every kind yaml.v3 types, and structured values with a merge key. */
const VALUES = [
  "2026",
  "-2026",
  "+12",
  "0",
  "-0",
  "0123",
  "08",
  "0x1F",
  "0o17",
  "0b101",
  "1_000",
  "12345678901234567890",
  "-12345678901234567890",
  "1.0",
  "2.50",
  "-1.25",
  "1e3",
  "1.5e300",
  "1e21",
  "0.000001",
  "1e-7",
  ".5",
  "1.",
  "true",
  "True",
  "FALSE",
  "yes",
  "on",
  "Y",
  "~",
  "null",
  "2001-12-14",
  "2026-1-2",
  "190:20:30",
  "v1:x",
  "'quoted 2026'",
  '"007"',
  "!!str 123",
  "https://timesheets.exampleco.com/api",
  "a b",
  "<<x",
];

/** The keys Pulumi.yaml declares without a default: the CLI refuses a file without them. */
const REQUIRED = [
  "  timesheets:environment: dev",
  "  timesheets:domain: exampleco-dev.eu.auth0.com",
  "  timesheets:apiIdentifier: https://timesheets.dev.exampleco.com/api",
];

const STRUCTURED = [
  "  x:base: &base {mode: existing, capacity: 1.0, n: 0x10}",
  "  x:merged:",
  "    <<: *base",
  "    mode: create",
  "    list: [1, two, true, ~, 2001-12-14, {a: <b>}]",
];

describe("a stack file read by the real CLI and by this project", () => {
  beforeAll(requireBuiltEngine);

  it("hands the program the same text for every value", async () => {
    const ws = (workspace = await createWorkspace([]));
    const init = await ws.run(["stack", "init", "qa"]);
    expect(init.code, init.stderr).toBe(0);
    const file = path.join(ws.projectDir, "Pulumi.qa.yaml");
    const salt = (await readFile(file, "utf8")).trim();
    const lines = VALUES.map((value, index) => `  x:v${index}: ${value}`);
    await writeFile(file, `${salt}\nconfig:\n${[...REQUIRED, ...lines].join("\n")}\n${STRUCTURED.join("\n")}\n`);
    const run = await ws.run(["config", "--json", "--show-secrets", "--stack", "qa"]);
    expect(run.code, run.stderr).toBe(0);
    const cli = JSON.parse(run.stdout) as Record<string, { value: string }>;
    const ours = engineConfigFor("qa", {}, ws.projectDir);
    for (const [key, { value }] of Object.entries(cli)) {
      const written = key.startsWith("x:v") ? VALUES[Number(key.slice(3))] : key;
      // Structured values: the same JSON value (Go sorts keys as we do; compare parsed to be exact about meaning).
      if (key === "x:base" || key === "x:merged") expect(JSON.parse(ours[key] ?? "null"), key).toEqual(JSON.parse(value));
      else expect(ours[key], `${key}: ${written}`).toBe(value);
    }
    expect(Object.keys(ours).sort()).toEqual(Object.keys(cli).sort());
  });

  it("refuses and reads the same bytes: invalid UTF-8, control characters, UTF-16 with a mark", async () => {
    const ws = (workspace = await createWorkspace([]));
    const init = await ws.run(["stack", "init", "qa"]);
    expect(init.code, init.stderr).toBe(0);
    const file = path.join(ws.projectDir, "Pulumi.qa.yaml");
    const salt = (await readFile(file, "utf8")).trim();
    const text = (apiName: string, comment = "") =>
      `${salt}\n${comment}config:\n${REQUIRED.join("\n")}\n  timesheets:apiName: ${apiName}\n`;
    const utf16le = (value: string) => Buffer.from(`\uFEFF${value}`, "utf16le");
    const utf16be = (value: string) => {
      const le = utf16le(value);
      return Buffer.from(le.map((_, i) => le[i ^ 1] as number));
    };
    const cases: [string, Buffer][] = [
      ["UTF-8", Buffer.from(text("Caf\u00e9 API"), "utf8")],
      ["UTF-8 with a mark", Buffer.from(`\uFEFF${text("Caf\u00e9 API")}`, "utf8")],
      ["Windows-1252", Buffer.from(text("Caf\u00e9 API"), "latin1")],
      ["a NUL in a comment", Buffer.from(text("API", "# note\u0000\n"), "utf8")],
      ["a C1 control", Buffer.from(text("A\u0086PI"), "utf8")],
      ["NEL", Buffer.from(text("A\u0085PI"), "utf8")],
      ["LS", Buffer.from(text("A\u2028PI"), "utf8")],
      ["NEL in a comment", Buffer.from(text("API", "# note\u0085 more\n"), "utf8")],
      ["an overlong slash", Buffer.concat([Buffer.from(text("A"), "utf8").subarray(0, -1), Buffer.from([0xc0, 0xaf, 0x0a])])],
      ["UTF-16LE with a mark", utf16le(text("Caf\u00e9 \u{1F600}"))],
      ["UTF-16BE with a mark", utf16be(text("Caf\u00e9 \u{1F600}"))],
      ["UTF-16LE with a lone surrogate", utf16le(text("Caf\uD800"))],
    ];
    for (const [name, bytes] of cases) {
      await writeFile(file, bytes);
      const run = await ws.run(["config", "--json", "--show-secrets", "--stack", "qa"]);
      let ours: Record<string, string> | undefined;
      try {
        ours = engineConfigFor("qa", {}, ws.projectDir);
      } catch {
        ours = undefined;
      }
      expect(ours === undefined, `${name}: refused by us as by the CLI (${run.stderr.trim()})`).toBe(run.code !== 0);
      if (ours === undefined) continue;
      const cli = JSON.parse(run.stdout) as Record<string, { value: string }>;
      expect(ours["timesheets:apiName"], name).toBe(cli["timesheets:apiName"]?.value);
    }
  });
});
