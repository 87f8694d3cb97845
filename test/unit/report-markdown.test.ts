import fc from "fast-check";
import { marked } from "marked";
import { describe, expect, test } from "vitest";
import { findingRows, formatMarkdown as auditMarkdown, formatText as auditText } from "../../stacks/audit/format";
import type { Finding } from "../../stacks/audit/findings";
import type { StackAudit } from "../../stacks/audit/report";
import { renderDrift } from "../../stacks/drift/report";
import { format as verifyFormat } from "../../stacks/verify/format";
import { row, verification } from "../../stacks/verify/report";

// The --format markdown reports (audit, verify, drift) as a GitHub job summary shows them:
// rendered by a GFM renderer, every table keeps its shape (a header row, one <tr> per row, as
// many cells as headers) and every cell shows its value as written, whatever the value holds
// (a `|`, a line break, a backtick, HTML, emphasis marks, an entity) - values come from tenants.

/** The tables of a rendered page: header cells, then each body row's cells, as the reader sees their text. */
function tables(html: string): { header: string[]; rows: string[][] }[] {
  const cells = (row: string, tag: "th" | "td"): string[] =>
    [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => shownText(m[1] ?? ""));
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((table) => {
    const head = /<thead>([\s\S]*?)<\/thead>/.exec(table[1] ?? "")?.[1] ?? "";
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1] ?? "")?.[1] ?? "";
    return {
      header: cells(head, "th"),
      rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => cells(row[1] ?? "", "td")),
    };
  });
}

/** A cell's text as a browser shows it: <br> a line break, other tags (a link, code) their text, entities decoded. */
function shownText(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** What a cell must show for a value: the value, its line breaks as breaks, control characters dropped; blanks at the ends do not count. */
function asShown(value: string): string {
  return (
    value
      .replace(/\r\n?/g, "\n")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
      .split("\n")
      .map((line) => line.replace(/\s+/g, " "))
      .join("\n")
      .trim()
  );
}
const normalised = (text: string): string => asShown(text);

const render = (markdown: string): string => marked.parse(markdown, { gfm: true, async: false });

// Text cells escape Markdown's punctuation. A URL followed at once by an escaped character
// is rendered with the backslash by marked's autolinks, not by GitHub's (cmark-gfm resolves
// escapes before it autolinks): text cells are tried without URLs, literal values (code spans,
// to which no autolink applies) with them.
const URLS = ["[a](http://x)", "http://x", "www.example.com"];
const HOSTILE = [
  "|",
  "\n",
  "`",
  "``",
  "*",
  "_x_",
  "<b>bold</b>",
  "<script>",
  "\\",
  "\\|",
  "&amp;",
  "&#124;",
  "~~s~~",
  "\r\n",
  "\u001b[31m",
  "  ",
];
const hostile = (parts: readonly string[]) =>
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...parts)), { minLength: 1, maxLength: 6 }).map((p) => p.join(""));
const hostileText = hostile(HOSTILE);
const hostileValue = hostile([...HOSTILE, ...URLS]);

const finding = (overrides: Partial<Finding> = {}): Finding => ({
  severity: "high",
  kind: "grant.scopes-widened",
  resource: "grant Timesheets Import Job → https://timesheets.dev.example/api: scopes",
  expected: ["batch:upload"],
  actual: ["read:timesheets"],
  fix: "run `pulumi up --stack dev` to set the grant back to batch:upload",
  ...overrides,
});

function audited(findings: readonly Finding[], stack = "dev"): StackAudit {
  return {
    stack,
    domain: "exampleco-dev.eu.auth0.com",
    outcome: findings.length > 0 ? "drift" : "no-drift",
    findings,
    checked: ["api"],
    notChecked: [],
    missingScopes: [],
    error: undefined,
    requests: { total: 7, managementApi: 6, token: 1, refused: 0 },
    durationMs: 1200,
  };
}

describe("the audit's tables", () => {
  test("one change is one row naming each kind it was found as, at the highest severity: never two identical rows", () => {
    // A grant whose scopes were replaced is both widened and narrowed: one change.
    const replaced = [finding(), finding({ severity: "medium", kind: "grant.scopes-narrowed" })];
    const text = auditText({ stacks: [audited(replaced)], exitCode: 2 });
    const rows = text.split("\n").filter((line) => line.includes("scopes-"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^ {2}1 +high +grant\.scopes-widened, grant\.scopes-narrowed +grant Timesheets Import Job/);
    expect(text).toMatch(/# +SEVERITY +KIND +RESOURCE +EXPECTED +ACTUAL/);
    const html = render(auditMarkdown({ stacks: [audited(replaced)], exitCode: 2 }));
    expect(tables(html)[1]?.rows).toHaveLength(1);
  });

  test("findings that differ in any shown value are rows of their own, each with its kind", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            severity: fc.constantFrom("high" as const, "medium" as const, "low" as const),
            kind: fc.constantFrom("api.name", "grant.scopes-widened", "grant.scopes-narrowed"),
            resource: fc.constantFrom("API", "grant"),
            expected: fc.constantFrom("a", "b"),
            actual: fc.constantFrom("c", "d"),
          }),
          { maxLength: 8 },
        ),
        (raw) => {
          const findings = raw.map((f) => finding(f));
          const rows = findingRows(findings);
          const shown = rows.map((r) => JSON.stringify([r.resource, r.expected, r.actual]));
          expect(new Set(shown).size).toBe(rows.length);
          for (const f of findings) {
            const r = rows.find(
              (candidate) => candidate.resource === f.resource && candidate.expected === f.expected && candidate.actual === f.actual,
            );
            expect(r?.kinds).toContain(f.kind);
          }
        },
      ),
      { seed: 22, numRuns: 200 },
    );
  });

  test("--format markdown renders as a summary table and a findings table, one <tr> per row, fixes as code", () => {
    const findings = [
      finding(),
      finding({ severity: "medium", kind: "api.token-lifetime", resource: "API x: token lifetime (s)", expected: 7200, actual: 86400 }),
    ];
    const html = render(auditMarkdown({ stacks: [audited(findings)], exitCode: 2 }));
    const [summary, details] = tables(html);
    expect(summary?.header).toEqual(["Stack", "Tenant", "Result", "High", "Medium", "Low", "Requests"]);
    expect(summary?.rows).toEqual([["dev", "exampleco-dev.eu.auth0.com", "drift", "1", "1", "0", "7"]]);
    expect(details?.header).toEqual(["Severity", "Kind", "Resource", "Expected", "Actual", "Fix"]);
    expect(details?.rows.map((r) => r.slice(0, 2))).toEqual([
      ["high", "grant.scopes-widened"],
      ["medium", "api.token-lifetime"],
    ]);
    expect(html).toContain("<code>pulumi up --stack dev</code>");
  });

  test("no value breaks a table or shows as markup: a | or a line break, backticks, HTML, emphasis, entities", () => {
    fc.assert(
      fc.property(hostileText, hostileValue, hostileValue, hostileValue, (resource, expected, actual, fix) => {
        const html = render(auditMarkdown({ stacks: [audited([finding({ resource, expected, actual, fix })])], exitCode: 2 }));
        const details = tables(html)[1];
        expect(details?.header).toHaveLength(6);
        expect(details?.rows).toHaveLength(1);
        const cells = details?.rows[0] ?? [];
        expect(cells).toHaveLength(6);
        expect(normalised(cells[2] ?? "")).toBe(asShown(resource));
        expect(normalised(cells[3] ?? "")).toBe(asShown(expected));
        expect(normalised(cells[4] ?? "")).toBe(asShown(actual));
        expect(html).not.toMatch(/<(script|b|em|strong|del|img)\b/);
      }),
      { seed: 22, numRuns: 300 },
    );
  });
});

describe("verify's and the drift check's Markdown", () => {
  test("verify: a table per stack, one <tr> per check, values as written", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), hostileText, hostileValue), { minLength: 1, maxLength: 5 }), (checks) => {
        const rows = checks.map(([pass, expected, actual], i) => row(`check.${i}`, pass, expected, actual));
        const html = render(verifyFormat({ stacks: [verification("dev", rows)], exitCode: 0 }, "markdown"));
        const [table] = tables(html);
        expect(table?.header).toEqual(["result", "check", "expected", "actual"]);
        expect(table?.rows).toHaveLength(checks.length);
        table?.rows.forEach((cells, i) => {
          expect(cells).toHaveLength(4);
          expect(cells[0]).toBe(checks[i]?.[0] ? "✅ pass" : "❌ FAIL");
          expect(normalised(cells[2] ?? "")).toBe(asShown(checks[i]?.[1] ?? ""));
          expect(normalised(cells[3] ?? "")).toBe(asShown(checks[i]?.[2] ?? ""));
        });
      }),
      { seed: 22, numRuns: 100 },
    );
  });

  test("verify: missing values are a list, one <li> each", () => {
    const error = [
      "missing 2 values; give each in one of the ways listed:",
      "- the import job's client id: VERIFY_IMPORT_JOB_CLIENT_ID",
      "- the test user's password: VERIFY_TEST_USER_PASSWORD",
    ].join("\n");
    const html = render(verifyFormat({ stacks: [verification("dev", [], error)], exitCode: 1 }, "markdown"));
    expect([...html.matchAll(/<li>/g)]).toHaveLength(2);
    expect(html).toContain("<li>the import job&#39;s client id: VERIFY_IMPORT_JOB_CLIENT_ID</li>");
  });

  test("drift: one <tr> per changed resource", () => {
    const drift = {
      changes: [
        {
          urn: "u1",
          type: "auth0:index/resourceServer:ResourceServer",
          name: "api|x",
          op: "update",
          properties: ["signingAlg", "tokenLifetime"],
        },
        { urn: "u2", type: "auth0:index/clientGrant:ClientGrant", name: "grant", op: "delete", properties: [] },
      ],
      unchanged: 3,
      unattributed: 0,
      notCompared: [],
    };
    const html = render(renderDrift({ stacks: [{ stack: "dev", outcome: "drift", drift, error: undefined }], exitCode: 2 }, "markdown"));
    const [table] = tables(html);
    expect(table?.header).toEqual(["Change", "Type", "Name", "Properties"]);
    expect(table?.rows).toEqual([
      ["update", "auth0:index/resourceServer:ResourceServer", "api|x", "signingAlg, tokenLifetime"],
      ["delete", "auth0:index/clientGrant:ClientGrant", "grant", "(not detailed)"],
    ]);
  });
});
