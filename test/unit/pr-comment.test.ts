import { describe, expect, test } from "vitest";
import { commentMarker, previewComment } from "../../stacks/pr-comment";

describe("the preview comment on a pull request", () => {
  test("says which stack, whether the preview passed, and carries its output", () => {
    const body = previewComment(
      "staging",
      "\u001b[32m+ auth0:index/clientGrant:ClientGrant\u001b[0m create\nResources:\n    + 1 to create",
      0,
    );
    expect(body.startsWith(commentMarker("staging"))).toBe(true);
    expect(body).toContain("### `staging`: ✅ preview succeeded");
    expect(body).toContain("+ auth0:index/clientGrant:ClientGrant create");
    expect(body).not.toContain("\u001b[");
  });

  test("a failed preview or a policy violation is shown as a failure with its exit code", () => {
    expect(previewComment("prod", "mandatory: [auth0-no-users-in-prod]", 255)).toContain("❌ preview failed (exit 255)");
  });

  test("a long preview keeps its beginning and its summary, and says how much was cut", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `    ~ resource-${i} update`);
    const output = [
      "Previewing update (prod):",
      ...lines,
      "Policies:",
      "    ❌ timesheets-guardrails@v0.1.0",
      "Resources:",
      "    ~ 5000 to update",
    ].join("\n");
    const body = previewComment("prod", output, 0, 10_000);
    expect(body.length).toBeLessThan(10_500);
    expect(body).toContain("Previewing update (prod):");
    expect(body).toContain("Policies:\n    ❌ timesheets-guardrails@v0.1.0\nResources:\n    ~ 5000 to update");
    expect(body).toMatch(/… \d+ lines cut to fit a comment; the whole preview is in the job's log …/);
  });

  test("output cannot close the comment's code block early", () => {
    expect(previewComment("dev", "```\n# injected heading", 0)).not.toContain("```\n# injected heading");
  });
});
