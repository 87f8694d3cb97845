import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isPair, isScalar, parse, parseDocument, visit } from "yaml";

/**
 * The delivery rules of `.github/workflows`, as checks over the workflow files' text: which
 * credentials a job that a pull request triggers can reach, which environments it runs in,
 * and whether every action it runs is pinned. Each check returns its violations (empty when
 * the rule holds), so a test can show that a broken copy of a workflow fails it.
 */

/** Workflow file name -> its text. */
export type WorkflowFiles = Readonly<Record<string, string>>;

export function readWorkflowFiles(folder: string): WorkflowFiles {
  const files: Record<string, string> = {};
  for (const file of readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()) {
    files[file] = readFileSync(path.join(folder, file), "utf8");
  }
  return files;
}

/** What a pull request's code may be handed: the previewer's credentials, nothing that can change a tenant. */
export const PREVIEWER_SECRETS: ReadonlySet<string> = new Set([
  "AUTH0_PREVIEWER_CLIENT_ID",
  "AUTH0_PREVIEWER_CLIENT_SECRET",
  "PULUMI_PREVIEWER_ACCESS_TOKEN",
  "GITHUB_TOKEN",
]);
export const PREVIEWER_VARIABLES: ReadonlySet<string> = new Set([
  "AZURE_PREVIEWER_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_SUBSCRIPTION_ID",
  "PULUMI_BACKEND_URL",
  "PULUMI_SECRETS_PROVIDER",
]);

/** A whole-context reference (`toJSON(secrets)`) reaches every secret. */
const EVERYTHING = "*";

interface Job {
  readonly environment?: unknown;
  readonly uses?: unknown;
  readonly with?: Record<string, unknown>;
  readonly secrets?: unknown;
  readonly needs?: unknown;
  readonly permissions?: unknown;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
}

/** One job as it runs: a matrix combination, with a reusable workflow's jobs expanded in place. */
export interface JobRun {
  /** `pull-request.yml#preview[stack=dev] > preview-stack.yml#preview` */
  readonly where: string;
  /** The job of the triggering workflow it comes from. */
  readonly topJob: string;
  readonly stack: string | undefined;
  readonly environment: string | undefined;
  readonly secrets: readonly string[];
  readonly variables: readonly string[];
  readonly inheritsSecrets: boolean;
  readonly idTokenWrite: boolean;
  readonly needs: readonly string[];
}

type Context = Readonly<Record<string, string>>;

const parsed = new Map<string, unknown>();
/** The rules only read what they parse: one parse per distinct text, however many checks and copies. */
function read(text: string | undefined): unknown {
  const key = text ?? "";
  if (!parsed.has(key)) parsed.set(key, parse(key));
  return parsed.get(key);
}

const EXPRESSION = /\$\{\{\s*(matrix|inputs)\.([A-Za-z0-9_-]+)\s*\}\}/g;

/** Fills in `${{ matrix.x }}` and `${{ inputs.x }}` where the value is known; leaves other expressions alone. */
function substitute(text: string, context: Context): string {
  return text.replace(EXPRESSION, (whole, scope: string, name: string) => context[`${scope}.${name}`] ?? whole);
}

function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, into);
  else if (value !== null && typeof value === "object") for (const item of Object.values(value)) strings(item, into);
  return into;
}

/** Every name of `context` (secrets or vars) that the expressions in these texts reference. */
function references(texts: readonly string[], context: "secrets" | "vars"): string[] {
  const names = new Set<string>();
  const dotted = new RegExp(`\\b${context}\\.([A-Za-z0-9_]+)`, "g");
  const indexed = new RegExp(`\\b${context}\\[\\s*['"]([^'"]+)['"]\\s*\\]`, "g");
  const whole = new RegExp(`\\b${context}\\b(?!\\s*[.[])`);
  for (const text of texts) {
    for (const expression of text.match(/\$\{\{[\s\S]*?\}\}/g) ?? []) {
      for (const match of expression.matchAll(dotted)) names.add(match[1] ?? "");
      for (const match of expression.matchAll(indexed)) names.add(match[1] ?? "");
      if (whole.test(expression)) names.add(EVERYTHING);
    }
  }
  return [...names].sort();
}

function matrixCombinations(job: Job): Context[] {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return [{}];
  let combinations: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude" || !Array.isArray(values)) continue;
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [`matrix.${key}`]: String(value) })));
  }
  const include = Array.isArray(matrix.include) ? (matrix.include as Record<string, unknown>[]) : [];
  for (const extra of include) {
    combinations.push(Object.fromEntries(Object.entries(extra).map(([key, value]) => [`matrix.${key}`, String(value)])));
  }
  return combinations;
}

function listOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.map(String) : [];
}

function triggers(workflow: { on?: unknown } | undefined): string[] {
  const on = workflow?.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return on !== null && typeof on === "object" ? Object.keys(on) : [];
}

const PULL_REQUEST_EVENTS = ["pull_request", "pull_request_target"];

/** The files whose workflows a pull request triggers. */
export function pullRequestWorkflows(files: WorkflowFiles): string[] {
  return Object.keys(files).filter((file) =>
    triggers(read(files[file]) as { on?: unknown }).some((event) => PULL_REQUEST_EVENTS.includes(event)),
  );
}

/** Every job run of one workflow file, reusable workflows in this folder expanded. */
export function jobRuns(files: WorkflowFiles, file: string, inputs: Context = {}, prefix = "", depth = 0): JobRun[] {
  const workflow = read(files[file]) as { jobs?: Record<string, Job>; permissions?: unknown } | undefined;
  const runs: JobRun[] = [];
  for (const [name, job] of Object.entries(workflow?.jobs ?? {})) {
    for (const combination of matrixCombinations(job)) {
      const context = { ...inputs, ...combination };
      const label = Object.entries(combination).map(([key, value]) => `${key.replace("matrix.", "")}=${value}`);
      const where = `${prefix}${file}#${name}${label.length > 0 ? `[${label.join(",")}]` : ""}`;
      const texts = strings(job).map((text) => substitute(text, context));
      const own = {
        secrets: references(texts, "secrets"),
        variables: references(texts, "vars"),
        inheritsSecrets: job.secrets === "inherit",
      };
      const called = typeof job.uses === "string" && job.uses.startsWith("./.github/workflows/") ? path.basename(job.uses) : undefined;
      if (called !== undefined && depth < 4) {
        const calledInputs = Object.fromEntries(
          Object.entries(job.with ?? {}).map(([key, value]) => [`inputs.${key}`, substitute(String(value), context)]),
        );
        for (const inner of jobRuns(files, called, calledInputs, `${where} > `, depth + 1)) {
          runs.push({
            ...inner,
            topJob: name,
            secrets: [...new Set([...inner.secrets, ...own.secrets])].sort(),
            variables: [...new Set([...inner.variables, ...own.variables])].sort(),
            inheritsSecrets: inner.inheritsSecrets || own.inheritsSecrets,
            needs: listOf(job.needs),
          });
        }
        continue;
      }
      // A job without permissions of its own has the workflow's.
      const permissions = job.permissions ?? workflow?.permissions;
      const environment = typeof job.environment === "object" ? (job.environment as { name?: unknown } | null)?.name : job.environment;
      runs.push({
        where,
        topJob: name,
        stack: context["matrix.stack"] ?? context["inputs.stack"],
        environment: typeof environment === "string" ? substitute(environment, context) : undefined,
        ...own,
        idTokenWrite: permissions === "write-all" || (permissions as Record<string, unknown> | undefined)?.["id-token"] === "write",
        needs: listOf(job.needs),
      });
    }
  }
  return runs;
}

/** Every job run that a pull request triggers. */
export function pullRequestRuns(files: WorkflowFiles): JobRun[] {
  return pullRequestWorkflows(files).flatMap((file) => jobRuns(files, file));
}

/** `pull_request_target` runs with the base repository's secrets and write token: never used. */
export function pullRequestTargetViolations(files: WorkflowFiles): string[] {
  return Object.keys(files)
    .filter((file) => triggers(read(files[file]) as { on?: unknown }).includes("pull_request_target"))
    .map((file) => `${file} is triggered by pull_request_target`);
}

/** Deny by default: a pull request job may reference the previewer's secrets and variables, and nothing else. */
export function deployerCredentialViolations(files: WorkflowFiles): string[] {
  const violations: string[] = [];
  for (const run of pullRequestRuns(files)) {
    if (run.inheritsSecrets) violations.push(`${run.where} inherits every secret (secrets: inherit)`);
    for (const secret of run.secrets.filter((name) => !PREVIEWER_SECRETS.has(name))) {
      violations.push(`${run.where} references ${secret === EVERYTHING ? "the whole secrets context" : `secrets.${secret}`}`);
    }
    for (const variable of run.variables.filter((name) => !PREVIEWER_VARIABLES.has(name))) {
      violations.push(`${run.where} references ${variable === EVERYTHING ? "the whole vars context" : `vars.${variable}`}`);
    }
  }
  return violations;
}

/**
 * A pull request job that holds any credential runs in its stack's preview environment, the
 * only place the previewer's credentials (and the preview identity's federation) live.
 */
export function previewEnvironmentViolations(files: WorkflowFiles): string[] {
  const violations: string[] = [];
  for (const run of pullRequestRuns(files)) {
    const holdsCredentials = run.secrets.some((name) => name !== "GITHUB_TOKEN") || run.idTokenWrite || run.inheritsSecrets;
    if (!holdsCredentials && run.environment === undefined) continue;
    if (run.stack === undefined) violations.push(`${run.where} holds credentials but previews no known stack`);
    else if (run.environment !== `${run.stack}-preview`) {
      violations.push(`${run.where} runs in ${run.environment ?? "no environment"}, not ${run.stack}-preview`);
    }
  }
  return violations;
}

/**
 * prod's preview has an environment of its own (where the required reviewers are set), used by
 * no other stack's preview, and dev's and staging's previews never wait for it.
 */
export function prodPreviewViolations(files: WorkflowFiles, prodStack = "prod"): string[] {
  const runs = pullRequestRuns(files).filter((run) => run.stack !== undefined);
  const prod = runs.filter((run) => run.stack === prodStack);
  const others = runs.filter((run) => run.stack !== prodStack);
  const violations: string[] = [];
  if (prod.length === 0) violations.push(`no pull request job previews ${prodStack}`);
  const prodEnvironments = new Set(prod.map((run) => run.environment));
  for (const run of others) {
    if (prodEnvironments.has(run.environment)) violations.push(`${run.where} shares ${prodStack}'s preview environment ${run.environment}`);
  }
  for (const run of prod) {
    if (others.some((other) => other.topJob === run.topJob)) {
      violations.push(`${run.where} previews ${prodStack} in the same job as other stacks; give it its own gated job`);
    }
  }
  const prodJobs = new Set(prod.map((run) => run.topJob));
  for (const run of others) {
    for (const needed of run.needs.filter((job) => prodJobs.has(job)))
      violations.push(`${run.where} waits for ${prodStack}'s gated preview (${needed})`);
  }
  return violations;
}

const PINNED = /^[^@\s]+@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+(\.\d+)*\b/;

const pinProblems = new Map<string, string[]>();
/** Each `uses:` of one file's text that is not pinned with its version, found through the YAML library (which keeps comments). */
function unpinnedIn(text: string): string[] {
  const known = pinProblems.get(text);
  if (known !== undefined) return known;
  const problems: string[] = [];
  visit(parseDocument(text), {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || pair.key.value !== "uses" || !isScalar(pair.value)) return;
      const uses = String(pair.value.value);
      if (uses.startsWith("./")) return;
      if (!PINNED.test(uses)) problems.push(`${uses} is not pinned to a 40-character commit SHA`);
      else if (!VERSION_COMMENT.test(pair.value.comment ?? "")) problems.push(`${uses} has no "# vX.Y.Z" comment`);
    },
  });
  pinProblems.set(text, problems);
  return problems;
}

/** Every `uses:` outside this repository is pinned to a full commit SHA, with its version in a comment. */
export function unpinnedActionViolations(files: WorkflowFiles): string[] {
  return Object.entries(files).flatMap(([file, text]) => unpinnedIn(text).map((problem) => `${file}: ${problem}`));
}

/** A copy of a workflow with one value changed at a path, through the YAML library (comments kept). */
export function withValue(files: WorkflowFiles, file: string, at: readonly (string | number)[], value: unknown): WorkflowFiles {
  const document = parseDocument(files[file] ?? "");
  // A fresh node: the old one's comment (a pin's "# vX.Y.Z") does not carry over to the new value.
  document.setIn(at, document.createNode(value));
  return { ...files, [file]: document.toString() };
}

/** Where each step's `uses:` of an action outside this repository sits, for breaking one pin at a time. */
export function stepUsesPaths(files: WorkflowFiles): { file: string; at: (string | number)[]; uses: string }[] {
  const found: { file: string; at: (string | number)[]; uses: string }[] = [];
  for (const [file, text] of Object.entries(files)) {
    const workflow = read(text) as { jobs?: Record<string, { steps?: { uses?: unknown }[] }> } | undefined;
    for (const [name, job] of Object.entries(workflow?.jobs ?? {})) {
      (job.steps ?? []).forEach((step, index) => {
        if (typeof step.uses === "string" && !step.uses.startsWith("./"))
          found.push({ file, at: ["jobs", name, "steps", index, "uses"], uses: step.uses });
      });
    }
  }
  return found;
}
