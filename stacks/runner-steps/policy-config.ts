import { readFileSync } from "node:fs";
import path from "node:path";
import { policyConfigFix, type FixTarget } from "../fixes";

/** The policy pack's config for a stack, as the runner passes it to Pulumi (relative to the repository, where Pulumi runs). */
export function policyConfigPath(stack: string): string {
  return `policy/config/${stack}.json`;
}

/**
 * Why the policy pack could not run on this stack, said before anything runs (Pulumi would fail
 * on it after the preview has started); undefined when the stack's own config is there as a JSON object.
 */
export function policyConfigProblem(target: FixTarget, command: "up" | "preview", repoRoot: string): string | undefined {
  const stack = target.stack;
  const relative = policyConfigPath(stack);
  const fix = policyConfigFix(target, command);
  let text: string;
  try {
    text = readFileSync(path.join(repoRoot, relative), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? "unknown error"})`;
    return `error: ${relative} ${why}: the policy pack checks stack "${stack}" with its own config; ${fix}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `error: ${relative} is not valid JSON; the policy pack cannot read it`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return `error: ${relative} is not a JSON object of policy names to their config; the policy pack cannot read it`;
  return undefined;
}
