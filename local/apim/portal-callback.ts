import type { DeveloperPortalSpec, TenantSpec } from "../../infra/config/spec";
import { escapeHtml, PAGE_HEADERS } from "../auth0/sign-in-page";

// Where API Management's developer portal receives the sign-in (its redirect URI), on the local
// gateway's address: local mode has no portal, so this page shows the code it would exchange and
// the command that exchanges it. It exchanges nothing itself: the portal application's secret is
// the operator's (`pulumi stack output portalClientSecret`), not the gateway's.

/** The path of the portal's redirect URI, when the stack has a developer portal; undefined otherwise. */
export function portalCallbackPath(spec: TenantSpec): string | undefined {
  const portal = spec.gateway?.developerPortal;
  const callback = portal?.application.callbacks[0];
  return callback === undefined ? undefined : new URL(callback).pathname;
}

export function portalCallbackPage(spec: TenantSpec, portal: DeveloperPortalSpec, query: URLSearchParams): string {
  const code = query.get("code");
  const error = query.get("error");
  const callback = portal.application.callbacks[0] ?? "";
  const exchange = [
    `curl --cacert <local mode's ca.pem> ${spec.tenant.tokenEndpoint}`,
    "-d grant_type=authorization_code",
    `-d "client_id=$(pulumi stack output --stack ${spec.stack} portalClientId)"`,
    `-d "client_secret=$(pulumi stack output --stack ${spec.stack} portalClientSecret --show-secrets)"`,
    `-d code=${code ?? ""}`,
    `-d redirect_uri=${callback}`,
  ].join(" \\\n  ");
  const body =
    code !== null
      ? `<p>Signed in. The developer portal would now exchange this code (once, within minutes) for an access token:</p><pre id="code">${escapeHtml(code)}</pre><p>From the repository, after <code>eval "$(npm run --silent local -- --env deployer)"</code>:</p><pre id="exchange">${escapeHtml(exchange)}</pre>`
      : `<p role="alert" id="error">${escapeHtml(error ?? "no code")}: ${escapeHtml(query.get("error_description") ?? "")}</p>`;
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>Developer portal (local)</title></head><body>',
    `<h1>${escapeHtml(portal.authorizationServer.displayName)} sign-in for ${escapeHtml(spec.api.name)}</h1>`,
    body,
    `<p>State: <span id="state">${escapeHtml(query.get("state") ?? "")}</span></p>`,
    "</body></html>",
  ].join("\n");
}

export const PORTAL_PAGE_HEADERS = PAGE_HEADERS;
