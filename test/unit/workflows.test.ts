import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { listDeliveredStacks, REPO_ROOT } from "../../stacks/stack-config";

const folder = path.join(REPO_ROOT, ".github", "workflows");
const files = readdirSync(folder).filter((file) => file.endsWith(".yml"));
const read = (file: string) => readFileSync(path.join(folder, file), "utf8");

interface Step {
  run?: string;
  uses?: string;
}
interface Job {
  environment?: string;
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  strategy?: { matrix?: { stack?: string[] } };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(read(file)) as Workflow;
const runs = (job: Job | undefined) => (job?.steps ?? []).map((step) => step.run ?? "").join("\n");

describe("the delivery workflows", () => {
  test.each(files)("%s is a valid GitHub Actions workflow", (file) => {
    expect(validateWorkflow(read(file)).errors).toEqual([]);
  });

  test("the validator does catch a broken workflow", () => {
    const broken =
      "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        runs: npm test\n";
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  test("pull requests also run the whole stack on the runner, npm run local -- --check, with no environment and no secret", () => {
    const local = workflow("pull-request.yml").jobs.local;
    expect(runs(local)).toContain("npm run local -- --check");
    expect(local?.environment).toBeUndefined();
    expect(JSON.stringify(local)).not.toMatch(/secrets\.|vars\./);
  });

  test("pull requests run the checks, then preview every stack with the policy pack and comment", () => {
    const pr = workflow("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(runs(pr.jobs.checks)).toContain("npm test");
    const calls = [pr.jobs.preview, pr.jobs["preview-prod"]];
    for (const call of calls) {
      expect(call?.needs).toBe("checks");
      expect(call?.uses).toBe("./.github/workflows/preview-stack.yml");
      expect(call?.permissions).toMatchObject({ "id-token": "write", "pull-requests": "write" });
    }
    const stacks = [...(pr.jobs.preview?.strategy?.matrix?.stack ?? []), String(pr.jobs["preview-prod"]?.with?.stack)];
    expect(stacks.sort()).toEqual(listDeliveredStacks());

    const preview = workflow("preview-stack.yml").jobs.preview;
    expect(preview?.environment).toBe("${{ inputs.environment }}");
    expect(runs(preview)).toContain("npm run --silent preview -- --stack ${{ inputs.stack }}");
    expect(runs(preview)).toContain("stacks/pr-comment.ts");
    expect(preview?.permissions).toMatchObject({ "id-token": "write", "pull-requests": "write" });
  });

  test("merges deploy dev, then staging, then prod, each in its own environment, one run per stack at a time", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.jobs.dev?.needs).toBe("checks");
    expect(deploy.jobs.staging?.needs).toBe("dev");
    expect(deploy.jobs.prod?.needs).toBe("staging");
    for (const stack of ["dev", "staging", "prod"]) expect(deploy.jobs[stack]?.with).toEqual({ stack });
    const up = workflow("deploy-stack.yml").jobs.up;
    expect(up?.environment).toBe("${{ inputs.stack }}");
    expect(up?.concurrency).toEqual({ group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(runs(up)).toContain("npm run up -- --stack ${{ inputs.stack }} --yes");
  });

  test("every night audits every stack's tenant with the auditor and checks its state without writing it", () => {
    const nightly = workflow("nightly-drift.yml");
    expect(Object.keys(nightly.on)).toEqual(expect.arrayContaining(["schedule"]));
    expect([...(nightly.jobs.audit?.strategy?.matrix?.stack ?? [])].sort()).toEqual(listDeliveredStacks());
    expect([...(nightly.jobs.state?.strategy?.matrix?.stack ?? [])].sort()).toEqual(listDeliveredStacks());
    expect(nightly.jobs.audit?.environment).toBe("${{ matrix.stack }}-audit");
    expect(read("nightly-drift.yml")).toMatch(/AUTH0_CLIENT_ID: \$\{\{ secrets.AUTH0_AUDITOR_CLIENT_ID \}\}/);
    expect(runs(nightly.jobs.audit)).toContain("--format markdown");
    expect(runs(nightly.jobs.audit)).toContain("GITHUB_STEP_SUMMARY");
    expect(runs(nightly.jobs.state)).toContain("npm run --silent drift -- --stack ${{ matrix.stack }}");
    // The state check runs as the previewer, in environments of its own, so prod's preview gate never holds it up.
    expect(nightly.jobs.state?.environment).toBe("${{ matrix.stack }}-drift");
    expect(read("nightly-drift.yml")).toMatch(/AUTH0_CLIENT_ID: \$\{\{ secrets.AUTH0_PREVIEWER_CLIENT_ID \}\}/);
    expect(read("nightly-drift.yml")).not.toMatch(/DEPLOYER/);
  });

  test.each(files)("%s holds no long-lived Azure secret and no literal credential", (file) => {
    const text = read(file);
    expect(text).not.toMatch(/ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret:/);
    expect(text).not.toMatch(/AUTH0_CLIENT_SECRET: (?!\$\{\{ secrets\.)/);
  });
});

describe("a workflow whose state backend variable is empty", () => {
  const jobs = files.flatMap((file) =>
    Object.entries(workflow(file).jobs)
      .filter(([, job]) => (job as Job & { env?: Record<string, string> }).env?.PULUMI_BACKEND_URL !== undefined)
      .map(([name, job]) => ({ file, name, first: job.steps?.[0]?.run ?? "" })),
  );

  test("every job that reaches Pulumi state fails at its first step, before checkout and install, and goes on when it is set", () => {
    expect(jobs.map((job) => `${job.file}:${job.name}`).sort()).toEqual([
      "deploy-stack.yml:up",
      "nightly-drift.yml:state",
      "preview-stack.yml:preview",
    ]);
    for (const job of jobs) {
      for (const empty of ["", "   "]) {
        const run = spawnSync("bash", ["-e", "-c", job.first], {
          env: { PATH: process.env.PATH, PULUMI_BACKEND_URL: empty },
          encoding: "utf8",
        });
        expect([job.name, run.status, run.stdout.trim()]).toEqual([
          job.name,
          1,
          expect.stringMatching(/^::error::PULUMI_BACKEND_URL is empty: .*docs\/state\.md\)$/),
        ]);
      }
      const set = spawnSync("bash", ["-e", "-c", job.first], {
        env: { PATH: process.env.PATH, PULUMI_BACKEND_URL: "azblob://state" },
        encoding: "utf8",
      });
      expect([job.name, set.status, set.stdout]).toEqual([job.name, 0, ""]);
    }
  });
});
