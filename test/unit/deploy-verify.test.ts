import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../stacks/stack-config";

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}

const deployStack = parse(readFileSync(path.join(REPO_ROOT, ".github/workflows/deploy-stack.yml"), "utf8")) as {
  jobs: { up: { steps: Step[] } };
};

test("each environment's deployment verifies the stack right after `up`, into the job summary, failing the job on a failed check", () => {
  const steps = deployStack.jobs.up.steps;
  const up = steps.findIndex((step) => step.run?.includes("npm run up --") === true);
  const verify = steps.findIndex((step) => step.run?.includes("npm run --silent verify --") === true);
  expect(up).toBeGreaterThanOrEqual(0);
  expect(verify).toBe(up + 1);
  const step = steps[verify];
  expect(step?.env?.STACK).toBe("${{ inputs.stack }}");
  expect(step?.run).toContain('--stack "$STACK" --format markdown');
  expect(step?.run).toContain('tee -a "$GITHUB_STEP_SUMMARY"');
  // Without pipefail, tee's success would hide verify's exit code and the promotion would go on.
  expect(step?.run).toMatch(/set -o pipefail/);
});
