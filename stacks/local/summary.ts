import path from "node:path";
import type { LocalMode } from "../../local/local-mode";
import { LOCAL_STACK } from "../../local/local-mode";
import type { StepResult } from "./steps";

/** `export NAME='value'` lines a POSIX shell evaluates as they are, whatever the value holds. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${quote(value)}\n`)
    .join("");
}

/** One line per step, then the verdict. */
export function summary(local: LocalMode, results: readonly StepResult[]): string {
  const lines = results.map((step) => `  ${step.passed ? "pass" : "FAIL"}  ${step.step}${step.passed ? "" : ` (exit ${step.exitCode})`}`);
  const all = ["deploy", "no-op preview", "verify", "audit"];
  const notRun = all.filter((step) => !results.some((result) => result.step === step)).map((step) => `  ----  ${step} (not run)`);
  const verdict = results.every((step) => step.passed) && notRun.length === 0 ? "all steps passed" : "some steps failed";
  return [
    "",
    `local stack on the local Auth0 (https://${local.auth0.domain}) and the local gateway (${local.gateway.url}): ${verdict}`,
    ...lines,
    ...notRun,
    "",
  ].join("\n");
}

/**
 * What to try next, every command working as printed from the repository: the import job's
 * token (its secret read from the stack, never shown here), the upload it may make, and a call
 * the gateway refuses.
 */
export function nextSteps(local: LocalMode, root: string): string {
  const ca = path.relative(root, local.trust.caFile) || local.trust.caFile;
  const spec = local.stack.spec;
  const upload = spec.gateway?.operations.find((operation) => operation.permission === "batch:upload");
  const refused = spec.gateway?.operations.find(
    (operation) => operation.method === "GET" && !spec.importJob.grant.scopes.includes(operation.permission),
  );
  const url = (template: string): string => `${local.gateway.url}${template.replace(/\{[^}]+\}/g, "42")}`;
  return [
    "Try it (in another shell, from the repository):",
    `  eval "$(npm run --silent local -- --env deployer)"`,
    `  ID=$(pulumi stack output --stack ${LOCAL_STACK} importJobClientId)`,
    `  SECRET=$(pulumi stack output --stack ${LOCAL_STACK} importJobClientSecret --show-secrets)`,
    `  TOKEN=$(curl -s --cacert ${ca} https://${local.auth0.domain}/oauth/token -d grant_type=client_credentials -d "client_id=$ID" -d "client_secret=$SECRET" -d audience=${spec.api.identifier} | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
    ...(upload === undefined
      ? []
      : [
          `  curl --cacert ${ca} -X ${upload.method} -H "authorization: Bearer $TOKEN" ${url(upload.urlTemplate)}    # ${upload.displayName}: allowed`,
        ]),
    ...(refused === undefined
      ? []
      : [
          `  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" ${url(refused.urlTemplate)}    # 403: the import job holds no ${refused.permission}`,
        ]),
    `  curl --cacert ${ca} -X ${upload?.method ?? "GET"} ${url(upload?.urlTemplate ?? "/")}    # 401: no token`,
    ...signInSteps(local, ca),
    "Then: npm run verify -- --stack local, npm run audit -- --stack local, npm run preview -- --stack local (each after the eval of its role),",
    "and the path to a real tenant in the README's Quick start.",
    "",
  ].join("\n");
}

/** How a person signs in through the developer portal's application, in a browser that trusts local mode's authority. */
function signInSteps(local: LocalMode, ca: string): string[] {
  const spec = local.stack.spec;
  const portal = spec.gateway?.developerPortal;
  if (portal === undefined || spec.testUser === undefined) return [];
  const authorize = new URL(`https://${local.auth0.domain}/authorize`);
  authorize.searchParams.set("response_type", "code");
  authorize.searchParams.set("client_id", "PORTAL_ID");
  authorize.searchParams.set("redirect_uri", portal.application.callbacks[0] ?? "");
  authorize.searchParams.set("audience", spec.api.identifier);
  authorize.searchParams.set("scope", portal.authorizationServer.defaultScope);
  authorize.searchParams.set("state", "try-it");
  return [
    `Sign in as a person, as the developer portal has them do it (a browser that trusts ${ca}, or accept its warning):`,
    `  echo "${authorize.href.replace("PORTAL_ID", "$(pulumi stack output --stack " + LOCAL_STACK + " portalClientId)")}"`,
    `  open that address; sign in as ${spec.testUser.email} with: pulumi stack output --stack ${LOCAL_STACK} testUserPassword --show-secrets`,
    `  the local gateway then shows the code and the curl that exchanges it, for a token the gateway lets read (GET) and refuses the rest`,
  ];
}
