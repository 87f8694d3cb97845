import type { GatewayOperation, TenantSpec } from "../../../infra/config/spec";
import { row, type CheckRow } from "../report";

export interface GatewayCallers {
  readonly url: string;
  readonly importJobToken: string | undefined;
  readonly testUserToken: string | undefined;
  readonly fetch: typeof fetch;
  readonly signal: AbortSignal;
}

/**
 * An id no timesheet has: a request that passes the gateway reaches the backend, and must
 * change nothing there. Requests carry no body for the same reason.
 */
const NO_SUCH_ID = "00000000-verify-no-such-timesheet";

const pathOf = (operation: GatewayOperation): string => operation.urlTemplate.replace(/\{[^{}]+\}/g, NO_SUCH_ID);

async function call(callers: GatewayCallers, operation: GatewayOperation, token: string | undefined): Promise<number> {
  const response = await callers.fetch(`${callers.url.replace(/\/+$/, "")}${pathOf(operation)}`, {
    method: operation.method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: callers.signal,
    redirect: "manual",
  });
  await response.body?.cancel();
  return response.status;
}

const PAST = "past the gateway (not 401/403)";
const passedGateway = (status: number): boolean => status !== 401 && status !== 403;

/**
 * Per operation: no token is 401; a caller's token passes exactly where its permissions reach
 * (anything but 401/403: the backend's own answer) and is 403 everywhere else.
 */
export async function gatewayChecks(spec: TenantSpec, callers: GatewayCallers): Promise<CheckRow[]> {
  const operations = spec.gateway?.operations ?? [];
  const rows: CheckRow[] = [];
  const holders = [
    { name: "import-job", token: callers.importJobToken, permissions: spec.importJob.grant.scopes },
    ...(spec.testUser === undefined ? [] : [{ name: "test-user", token: callers.testUserToken, permissions: spec.testUser.permissions }]),
  ];
  for (const operation of operations) {
    const anonymous = await call(callers, operation, undefined);
    rows.push(row(`gateway.no-token.${operation.id}`, anonymous === 401, "401", String(anonymous)));
    for (const holder of holders) {
      const check = `gateway.${holder.name}.${operation.id}`;
      const allowed = holder.permissions.includes(operation.permission);
      const expected = allowed ? PAST : "403";
      if (holder.token === undefined) {
        rows.push(row(check, false, expected, `not sent: no ${holder.name} token`));
        continue;
      }
      const status = await call(callers, operation, holder.token);
      rows.push(row(check, allowed ? passedGateway(status) : status === 403, expected, String(status)));
    }
  }
  return rows;
}
