import { isThisMachine } from "../../infra/config/loopback";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { TenantSpec } from "../../infra/config/spec";
import { guardedFetch, tenantOrigin } from "../auth0/guarded-fetch";
import { developerPortalChecks } from "./checks/developer-portal";
import { bodyBrokeOff, jsonBody } from "../auth0/json-answer";
import { withoutCredentials } from "../auth0/redact";
import { gatewayChecks } from "./checks/gateway";
import { importJobChecks } from "./checks/import-job";
import { testUserChecks } from "./checks/test-user";
import { connectionProblem } from "../problems";
import type { VerifyInputs } from "./inputs";
import { row, verification, type CheckRow, type StackVerification } from "./report";

export interface VerifyOptions {
  readonly fetch: typeof fetch;
  readonly timeoutSeconds: number;
}

/**
 * The tenant's published keys. An answer that is not a key set (an error page, a cut-off body)
 * is the tenant's answer not read, not a check that failed: verify cannot finish without them.
 */
async function tenantKeys(spec: TenantSpec, fetchFn: typeof fetch, signal: AbortSignal): Promise<{ jwks: JWTVerifyGetKey; row: CheckRow }> {
  const expected = `a JSON Web Key Set at ${spec.tenant.jwksUri}`;
  const response = await fetchFn(spec.tenant.jwksUri, { signal, headers: { accept: "application/json" } });
  const path = new URL(spec.tenant.jwksUri).pathname;
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw error;
    // The cause is said in words here; attached, the report would add the runtime's own text after it.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`GET ${path}: ${bodyBrokeOff(spec.tenant.domain, error)}`);
  }
  if (!response.ok) throw new Error(`GET ${path}: answered ${response.status}, not the tenant's key set`);
  const parsed = jsonBody(text, response.headers.get("content-type"));
  if (!parsed.ok) throw new Error(`GET ${path}: ${parsed.message}`);
  const body = parsed.body as JSONWebKeySet | undefined;
  if (typeof body !== "object" || body === null || !Array.isArray(body.keys))
    throw new Error(`GET ${path}: the answer is not a JSON Web Key Set (no keys list)`);
  return { jwks: createLocalJWKSet(body), row: row("tenant.jwks", true, expected, `${body.keys.length} key(s)`) };
}

/**
 * Where the gateway calls (and the access tokens they carry) may go: the gateway URL's own
 * origin, over https; plain http only on the loopback interface (the local gateway), which
 * never leaves the machine. Undefined: a URL no token may be sent to.
 */
export function gatewayOrigin(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === "https:") return parsed.origin;
  // A `*.localhost` name is this machine by RFC 6761, but a resolver without that rule may send it
  // to DNS: a token goes over plain http only to an address, or to `localhost` itself.
  const plainHttpOk = isThisMachine(parsed.hostname) && !parsed.hostname.endsWith(".localhost");
  return parsed.protocol === "http:" && plainHttpOk ? parsed.origin : undefined;
}

/** Why a call got no answer: the network in words ("could not connect to h (no such host)"), else the error's own message. */
const message = (error: unknown, host: string): string =>
  connectionProblem(host, error) ??
  (error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error));

/**
 * Every check of one deployed stack, within the time budget. A check that fails is a row; a
 * tenant or gateway that cannot be reached, or the budget running out, makes the stack's
 * outcome "could not run", with the rows gathered until then.
 */
export async function verifyStack(spec: TenantSpec, inputs: VerifyInputs, options: VerifyOptions): Promise<StackVerification> {
  const held = inputCredentials(inputs);
  const result = await verified(spec, inputs, options, held);
  return withoutCredentials(result, held);
}

/**
 * The secrets verify was given: every string of its inputs but the few that are public by
 * nature (identifiers, the test user's address, the gateway's URL, the method and algorithm
 * names), so a credential added to the inputs is hidden without anyone remembering to list it.
 * A private key counts by each line of its body; the armour is no secret.
 */
export function inputCredentials(inputs: VerifyInputs): string[] {
  const held: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === "string") {
      if (PUBLIC_INPUTS.has(key)) return;
      if (key === "privateKeyPem")
        held.push(
          ...value
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter((line) => line !== "" && !line.startsWith("-----")),
        );
      else held.push(value);
    } else if (typeof value === "object" && value !== null) {
      for (const [name, inner] of Object.entries(value)) walk(inner, name);
    }
  };
  walk(inputs, "");
  return held;
}

/** Input fields that are no secret: shown in reports as they are. */
const PUBLIC_INPUTS: ReadonlySet<string> = new Set(["clientId", "email", "gatewayUrl", "method", "algorithm"]);

async function verified(spec: TenantSpec, inputs: VerifyInputs, options: VerifyOptions, held: string[]): Promise<StackVerification> {
  const rows: CheckRow[] = [];
  const controller = new AbortController();
  let phase = "fetching the tenant's JWKS";
  let host = spec.tenant.domain;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve("timeout");
    }, options.timeoutSeconds * 1000);
  });
  // Secrets, passwords and assertions go to the tenant only; access tokens to the tenant and the gateway only.
  const tenantFetch = guardedFetch(options.fetch, { allowedOrigins: [tenantOrigin(spec.tenant.domain)] });
  const endpoint = {
    url: spec.tenant.tokenEndpoint,
    issuer: spec.tenant.issuer,
    fetch: tenantFetch,
    signal: controller.signal,
    onCredential: (value: string) => held.push(value),
  };

  const run = async (): Promise<"done"> => {
    const keys = await tenantKeys(spec, tenantFetch, controller.signal);
    rows.push(keys.row);
    phase = "asking Auth0 for the import job's token";
    const importJob = await importJobChecks(spec, inputs, endpoint, keys.jwks);
    rows.push(...importJob.rows);
    phase = "signing the test user in";
    const testUser = await testUserChecks(spec, inputs, endpoint, keys.jwks);
    rows.push(...testUser.rows);
    phase = "checking the developer portal's application";
    rows.push(...(await developerPortalChecks(spec, inputs, endpoint)));
    if (spec.gateway !== undefined && inputs.gatewayUrl !== undefined) {
      phase = `calling the gateway at ${inputs.gatewayUrl}`;
      const origin = gatewayOrigin(inputs.gatewayUrl);
      if (origin === undefined) throw new Error(`the gateway URL ${inputs.gatewayUrl} is not https; no token is sent to it`);
      host = new URL(origin).host;
      const callers = {
        url: inputs.gatewayUrl,
        importJobToken: importJob.token,
        testUserToken: testUser.token,
        fetch: guardedFetch(options.fetch, { allowedOrigins: [origin] }),
        signal: controller.signal,
      };
      rows.push(...(await gatewayChecks(spec, callers)));
    }
    return "done";
  };

  try {
    const result = await Promise.race([run(), timedOut]);
    if (result === "timeout")
      return verification(spec.stack, rows, `timed out after ${options.timeoutSeconds} s (--timeout) while ${phase}`);
    return verification(spec.stack, rows);
  } catch (error) {
    if (controller.signal.aborted)
      return verification(spec.stack, rows, `timed out after ${options.timeoutSeconds} s (--timeout) while ${phase}`);
    return verification(spec.stack, rows, `could not finish while ${phase}: ${message(error, host)}`);
  } finally {
    clearTimeout(timer);
  }
}
