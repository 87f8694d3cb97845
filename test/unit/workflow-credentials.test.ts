import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { listDeliveredStacks, REPO_ROOT } from "../../stacks/stack-config";
import {
  deployerCredentialViolations,
  prodPreviewViolations,
  previewEnvironmentViolations,
  pullRequestRuns,
  pullRequestTargetViolations,
  readWorkflowFiles,
  stepUsesPaths,
  unpinnedActionViolations,
  withValue,
  type WorkflowFiles,
} from "../support/workflow-rules";

const files = readWorkflowFiles(path.join(REPO_ROOT, ".github", "workflows"));
const DEPLOYER_SECRET = "${{ secrets.AUTH0_DEPLOYER_CLIENT_SECRET }}";

/** Every rule this file checks, so a broken copy can be shown to fail exactly the one it breaks. */
const rules = {
  deployer: deployerCredentialViolations,
  environment: previewEnvironmentViolations,
  prod: prodPreviewViolations,
  pinned: unpinnedActionViolations,
  trigger: pullRequestTargetViolations,
} as const;
const failing = (copy: WorkflowFiles) =>
  Object.entries(rules)
    .filter(([, rule]) => rule(copy).length > 0)
    .map(([name]) => name);

describe("code from a pull request never holds a credential that can change a tenant", () => {
  test("the workflows as committed break no rule", () => {
    for (const rule of Object.values(rules)) expect(rule(files)).toEqual([]);
  });

  test("a pull request previews every stack, each in its own <stack>-preview environment", () => {
    const previews = pullRequestRuns(files).filter((run) => run.stack !== undefined);
    expect(previews.map((run) => run.stack).sort()).toEqual(listDeliveredStacks());
    expect(previews.map((run) => [run.stack, run.environment]).sort()).toEqual(
      listDeliveredStacks().map((stack) => [stack, `${stack}-preview`]),
    );
    for (const run of previews) {
      expect(run.secrets).toEqual(["AUTH0_PREVIEWER_CLIENT_ID", "AUTH0_PREVIEWER_CLIENT_SECRET", "PULUMI_PREVIEWER_ACCESS_TOKEN"]);
      expect(run.variables).toContain("AZURE_PREVIEWER_CLIENT_ID");
    }
  });

  test("prod's preview runs in a job and an environment of its own; dev and staging do not wait for it", () => {
    const runs = pullRequestRuns(files).filter((run) => run.stack !== undefined);
    const prod = runs.filter((run) => run.stack === "prod");
    expect(prod.map((run) => run.environment)).toEqual(["prod-preview"]);
    const others = runs.filter((run) => run.stack !== "prod");
    expect(others.map((run) => run.environment)).not.toContain("prod-preview");
    expect(new Set(others.map((run) => run.topJob))).not.toContain(prod[0]?.topJob);
  });

  test("the deploy jobs are the only ones that reference the deployer's credentials", () => {
    const deployer = Object.entries(files)
      .filter(([, text]) => /DEPLOYER/.test(text))
      .map(([file]) => file);
    expect(deployer).toEqual(["deploy-stack.yml"]);
  });

  test("a deployer secret in the preview job fails the credential rule, and only it", () => {
    const copy = withValue(files, "preview-stack.yml", ["jobs", "preview", "env", "AUTH0_CLIENT_SECRET"], DEPLOYER_SECRET);
    expect(deployerCredentialViolations(copy)).toEqual(
      expect.arrayContaining([expect.stringMatching(/preview-stack\.yml#preview references secrets\.AUTH0_DEPLOYER_CLIENT_SECRET/)]),
    );
    expect(failing(copy)).toEqual(["deployer"]);
  });

  test("a pull request job that inherits every secret, or reads the whole secrets context, fails the credential rule", () => {
    expect(deployerCredentialViolations(withValue(files, "pull-request.yml", ["jobs", "preview", "secrets"], "inherit"))).toEqual([
      expect.stringMatching(/inherits every secret/),
      expect.stringMatching(/inherits every secret/),
    ]);
    const dump = withValue(files, "pull-request.yml", ["jobs", "checks", "steps", 3, "env"], { ALL: "${{ toJSON(secrets) }}" });
    expect(deployerCredentialViolations(dump)).toEqual([expect.stringMatching(/checks references the whole secrets context/)]);
  });

  test("the deployer's Azure identity in a preview fails the credential rule", () => {
    const copy = withValue(files, "preview-stack.yml", ["jobs", "preview", "env", "ARM_CLIENT_ID"], "${{ vars.AZURE_DEPLOYER_CLIENT_ID }}");
    expect(deployerCredentialViolations(copy)).toContainEqual(expect.stringMatching(/references vars\.AZURE_DEPLOYER_CLIENT_ID/));
  });

  test("a preview in a deploy environment fails the environment rule", () => {
    const copy = withValue(files, "pull-request.yml", ["jobs", "preview", "with", "environment"], "${{ matrix.stack }}");
    expect(previewEnvironmentViolations(copy)).toEqual([
      expect.stringMatching(/stack=dev\] > preview-stack\.yml#preview runs in dev, not dev-preview/),
      expect.stringMatching(/stack=staging\] > preview-stack\.yml#preview runs in staging, not staging-preview/),
    ]);
  });

  test("a pull request job that can get an Azure token outside a preview environment fails the environment rule", () => {
    const copy = withValue(files, "pull-request.yml", ["jobs", "checks", "permissions"], { contents: "read", "id-token": "write" });
    expect(previewEnvironmentViolations(copy)).toEqual([
      expect.stringMatching(/pull-request\.yml#checks holds credentials but previews no known stack/),
    ]);
  });

  test("prod previewed in dev's environment, or in the same matrix as dev and staging, fails the prod rule", () => {
    const shared = withValue(files, "pull-request.yml", ["jobs", "preview-prod", "with", "environment"], "dev-preview");
    expect(prodPreviewViolations(shared)).toContainEqual(expect.stringMatching(/shares prod's preview environment dev-preview/));

    const merged = withValue(files, "pull-request.yml", ["jobs", "preview", "strategy", "matrix", "stack"], ["dev", "staging", "prod"]);
    expect(prodPreviewViolations(merged)).toContainEqual(expect.stringMatching(/same job as other stacks/));

    const waits = withValue(files, "pull-request.yml", ["jobs", "preview", "needs"], ["checks", "preview-prod"]);
    expect(prodPreviewViolations(waits)).toEqual([
      expect.stringMatching(/stack=dev.*waits for prod's gated preview/),
      expect.stringMatching(/stack=staging.*waits for prod's gated preview/),
    ]);
  });

  test("an unpinned action, or a pin without its version comment, fails the pin rule, and only it", () => {
    const unpinned = withValue(files, "preview-stack.yml", ["jobs", "preview", "steps", 0, "uses"], "actions/checkout@v4");
    expect(unpinnedActionViolations(unpinned)).toEqual([
      "preview-stack.yml: actions/checkout@v4 is not pinned to a 40-character commit SHA",
    ]);
    expect(failing(unpinned)).toEqual(["pinned"]);

    const sha = "11bd71901bbe5b1630ceea73d27597364c9af683";
    const uncommented = withValue(files, "deploy.yml", ["jobs", "checks", "steps", 0, "uses"], `actions/checkout@${sha}`);
    expect(unpinnedActionViolations(uncommented)).toEqual([`deploy.yml: actions/checkout@${sha} has no "# vX.Y.Z" comment`]);

    const short = withValue(files, "nightly-drift.yml", ["jobs", "audit", "steps", 0, "uses"], "actions/checkout@11bd719");
    expect(unpinnedActionViolations(short)).toHaveLength(1);
  });

  test("pull_request_target fails the trigger rule", () => {
    const copy = withValue(files, "pull-request.yml", ["on"], { pull_request_target: { branches: ["main"] } });
    expect(pullRequestTargetViolations(copy)).toEqual(["pull-request.yml is triggered by pull_request_target"]);
  });

  test("property: a deployer secret placed in any pull request job, anywhere in it, is caught", () => {
    const places = [
      { file: "preview-stack.yml", at: ["jobs", "preview", "env", "EXTRA"] },
      { file: "preview-stack.yml", at: ["jobs", "preview", "steps", 5, "env", "EXTRA"] },
      { file: "preview-stack.yml", at: ["jobs", "preview", "steps", 6, "with", "github-token"] },
      { file: "pull-request.yml", at: ["jobs", "checks", "env", "EXTRA"] },
      { file: "pull-request.yml", at: ["jobs", "checks", "steps", 3, "run"] },
      { file: "pull-request.yml", at: ["jobs", "preview", "secrets", "EXTRA"] },
      { file: "pull-request.yml", at: ["jobs", "preview-prod", "with", "stack"] },
    ] as const;
    const deployerNames = ["AUTH0_DEPLOYER_CLIENT_ID", "AUTH0_DEPLOYER_CLIENT_SECRET", "PULUMI_ACCESS_TOKEN", "ANY_OTHER_SECRET"];
    const spellings = [
      (name: string) => `\${{ secrets.${name} }}`,
      (name: string) => `\${{secrets['${name}']}}`,
      (name: string) => `npm test && echo "\${{ format('{0}', secrets.${name}) }}"`,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...places), fc.constantFrom(...deployerNames), fc.constantFrom(...spellings), (place, name, spell) => {
        const copy = withValue(files, place.file, place.at, spell(name));
        return deployerCredentialViolations(copy).some((violation) => violation.includes(`secrets.${name}`));
      }),
      { seed: 16, numRuns: 40 },
    );
  });

  test("property: any action pinned by a tag or a short SHA is caught, wherever it is", () => {
    const steps = stepUsesPaths(files);
    expect(steps.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(
        fc.constantFrom(...steps),
        fc.oneof(fc.constantFrom("v4", "main", "latest", "v4.2.2"), fc.stringMatching(/^[0-9a-f]{7,39}$/)),
        (step, ref) => {
          const action = step.uses.split("@")[0] ?? "";
          const copy = withValue(files, step.file, step.at, `${action}@${ref}`);
          return unpinnedActionViolations(copy).some((violation) => violation.startsWith(`${step.file}: ${action}@${ref} `));
        },
      ),
      { seed: 16, numRuns: 40 },
    );
  });
});
