import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCheck, type StackCheck } from "../../stacks/runner";
import { main } from "../../stacks/drift/main";
import {
  automationWorkspace,
  refreshStep,
  WorkspaceError,
  type RefreshPreview,
  type StateWorkspace,
} from "../../stacks/drift/refresh-preview";
import { summariseRefresh } from "../../stacks/drift/summarise";

// The state drift check's summary and CLI, over a fake workspace: the real one needs the
// Pulumi CLI, which these machines do not have.

const urn = (type: string, name: string): string => `urn:pulumi:dev::timesheets::timesheets:auth0:TimesheetsApi$${type}::${name}`;
const API = urn("auth0:index/resourceServer:ResourceServer", "timesheets-api-resource-server");
const GRANT = urn("auth0:index/clientGrant:ClientGrant", "import-job-grant");
const STACK = "urn:pulumi:dev::timesheets::pulumi:pulumi:Stack::timesheets-dev";

const step = (op: string, target: string, type: string, properties: string[] = []) => ({ op, urn: target, type, properties });

const driftedPreview: RefreshPreview = {
  steps: [
    step("same", STACK, "pulumi:pulumi:Stack"),
    // The engine sends a step before and after each resource; only the verdict counts.
    step("refresh", API, "auth0:index/resourceServer:ResourceServer"),
    step("update", API, "auth0:index/resourceServer:ResourceServer", ["signingAlg", "tokenLifetime"]),
    step("delete", GRANT, "auth0:index/clientGrant:ClientGrant"),
    step("same", urn("auth0:index/connection:Connection", "user-store-connection"), "auth0:index/connection:Connection"),
  ],
  changeSummary: { same: 2, update: 1, delete: 1 },
};

class FakeWorkspace implements StateWorkspace {
  readonly asked: string[] = [];
  constructor(private readonly answer: RefreshPreview | Error) {}
  async previewRefresh(stack: string, onOutput: (text: string) => void): Promise<RefreshPreview> {
    this.asked.push(stack);
    onOutput("Previewing refresh (dev):\n");
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

// The real stack file check (the render's), run once per stack for this file.
const checks = new Map<string, ReturnType<StackCheck>>();
const cachedCheck: StackCheck = (stack, root) => {
  const found = checks.get(stack) ?? renderCheck(stack, root);
  checks.set(stack, found);
  return found;
};

async function drift(args: string[], workspace: StateWorkspace, checkStack: StackCheck = cachedCheck) {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    {},
    { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, workspace, checkStack },
  );
  return { code, stdout, stderr };
}

describe("summarising a refresh preview", () => {
  it("lists what changed and how, not the stack itself or what stayed the same", () => {
    const summary = summariseRefresh(driftedPreview);
    expect(summary.changes.map((c) => [c.op, c.name, c.properties])).toEqual([
      ["delete", "import-job-grant", []],
      ["update", "timesheets-api-resource-server", ["signingAlg", "tokenLifetime"]],
    ]);
    expect(summary.unchanged).toBe(1);
    expect(summary.unattributed).toBe(0);
  });

  it("a step still marked refresh is a change only when it names differences", () => {
    const summary = summariseRefresh({ steps: [step("refresh", API, "t", ["name"]), step("refresh", GRANT, "t")], changeSummary: {} });
    expect(summary.changes.map((c) => [c.op, c.name])).toEqual([["update", "timesheets-api-resource-server"]]);
  });

  it("changes the engine counted without events still count as drift", () => {
    const summary = summariseRefresh({ steps: [], changeSummary: { same: 4, update: 2 } });
    expect(summary).toEqual({ changes: [], unchanged: 0, unattributed: 2, notCompared: [] });
  });

  // The previewer cannot read client secrets: its refresh reads them as empty. That is neither
  // drift nor "unchanged", and it must not hide a real change beside it.
  const CREDENTIALS = "auth0:index/clientCredentials:ClientCredentials";
  const credentials = urn(CREDENTIALS, "import-job-credentials");

  it("a client secret the reader cannot see is not compared, and said so, not drift", async () => {
    const preview: RefreshPreview = { steps: [step("update", credentials, CREDENTIALS, ["clientSecret"])], changeSummary: { update: 1 } };
    const summary = summariseRefresh(preview);
    expect(summary.changes).toEqual([]);
    expect(summary.unattributed).toBe(0);
    expect(summary.notCompared.map((c) => [c.name, c.properties])).toEqual([["import-job-credentials", ["clientSecret"]]]);
    const run = await drift(["--stack", "dev"], new FakeWorkspace(preview));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Not compared: clientSecret of import-job-credentials");
  });

  it("any other difference on the credentials, or their deletion, is still drift", async () => {
    const previews: RefreshPreview[] = [
      { steps: [step("update", credentials, CREDENTIALS, ["authenticationMethod", "clientSecret"])], changeSummary: { update: 1 } },
      { steps: [step("delete", credentials, CREDENTIALS, [])], changeSummary: { delete: 1 } },
      { steps: [step("update", API, "auth0:index/resourceServer:ResourceServer", ["clientSecret"])], changeSummary: { update: 1 } },
    ];
    for (const preview of previews) {
      expect(summariseRefresh(preview).changes).toHaveLength(1);
      expect((await drift(["--stack", "dev"], new FakeWorkspace(preview))).code).toBe(2);
    }
  });

  it("takes the changed properties from the engine's detailed diff", () => {
    const metadata = {
      op: "update" as const,
      urn: API,
      type: "auth0:index/resourceServer:ResourceServer",
      provider: "",
      detailedDiff: { tokenLifetime: { diffKind: "update" as never, inputDiff: false } },
      diffs: ["ignored"],
    };
    expect(refreshStep(metadata).properties).toEqual(["tokenLifetime"]);
  });
});

describe("npm run drift", () => {
  it("drift: exit 2, a table of the changed resources, Pulumi's output on stderr only", async () => {
    const workspace = new FakeWorkspace(driftedPreview);
    const run = await drift(["--stack", "dev"], workspace);
    expect(run.code).toBe(2);
    expect(workspace.asked).toEqual(["dev"]);
    expect(run.stdout).toContain("dev · DRIFT · 2 changed, 1 unchanged");
    expect(run.stdout).toMatch(
      /update +auth0:index\/resourceServer:ResourceServer +timesheets-api-resource-server +signingAlg, tokenLifetime/,
    );
    expect(run.stdout).not.toContain("Previewing refresh");
    expect(run.stderr).toContain("Previewing refresh");
  });

  it("no drift: exit 0", async () => {
    const run = await drift(
      ["--stack", "dev", "--format", "json"],
      new FakeWorkspace({ steps: [step("same", API, "t")], changeSummary: { same: 2 } }),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 0, stacks: [{ stack: "dev", outcome: "no-drift", drift: { changes: [] } }] });
  });

  it("Markdown for a job summary", async () => {
    const run = await drift(["--stack", "dev", "--format", "markdown"], new FakeWorkspace(driftedPreview));
    expect(run.stdout).toContain("| delete | auth0:index/clientGrant:ClientGrant | import-job-grant | (not detailed) |");
    expect(run.stdout).toContain("Exit code 2.");
  });

  it("a preview that cannot run: exit 1 and why, never a verdict", async () => {
    const run = await drift(
      ["--stack", "dev"],
      new FakeWorkspace(new WorkspaceError('the stack "dev" does not exist in this backend; the drift check never creates stacks')),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("dev · ERROR");
    expect(run.stdout).toContain("never creates stacks");
  });

  it("--all checks every stack file in turn, and the worst outcome decides", async () => {
    const workspace = new FakeWorkspace(driftedPreview);
    const run = await drift(["--all", "--format", "json"], workspace);
    expect(workspace.asked).toEqual(["dev", "prod", "staging"]);
    expect(run.code).toBe(2);
  });

  it("a stack without a stack file is refused before Pulumi is asked", async () => {
    const workspace = new FakeWorkspace(driftedPreview);
    const run = await drift(["--stack", "qa"], workspace);
    expect(run.code).toBe(1);
    expect(workspace.asked).toEqual([]);
  });
});

describe("a stack file the render refuses", () => {
  it("is the stack's error, in the render's words, and Pulumi is never asked", async () => {
    const workspace = new FakeWorkspace(driftedPreview);
    const refused: StackCheck = () => Promise.resolve({ ok: false, message: "error: Pulumi.dev.yaml: config: expected a mapping" });
    const run = await drift(["--stack", "dev"], workspace, refused);
    expect(run.code).toBe(1);
    expect(workspace.asked).toEqual([]);
    expect(run.stdout).toContain("Pulumi.dev.yaml: config: expected a mapping");
  });
});

describe("without the Pulumi CLI", () => {
  it("the real workspace says the CLI is needed, and the audit is the alternative", async () => {
    // Whatever this machine has, the CLI is made unreachable: PATH names an empty folder.
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), "no-pulumi-"));
    try {
      const attempt = automationWorkspace(process.cwd(), {}).previewRefresh("dev", () => undefined);
      await expect(attempt).rejects.toThrow(WorkspaceError);
      await expect(attempt).rejects.toThrow(/Pulumi CLI is not installed/);
      const run = await drift(["--stack", "dev"], automationWorkspace(process.cwd(), {}));
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/Pulumi CLI is not installed.*or run `npm run audit -- --stack dev` as the auditor/);
    } finally {
      process.env.PATH = path;
    }
  });
});
