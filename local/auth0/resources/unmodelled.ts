import { ManagementApiError, notFound } from "../errors.js";
import { route, type RequestContext, type Route } from "../router.js";
import type { JsonObject } from "../validation.js";

// The kinds of Auth0 object this tenant does not model (actions, organizations, log
// streams, ...), answered with the truth about a tenant that has none of them: every list is
// empty, in the envelope Auth0 gives that endpoint, and every write is refused. The endpoints are
// those the Auth0 Deploy CLI (auth0-deploy-cli 8.x) reads on export; the envelopes are the
// response types of the Management API SDK it uses (auth0 6.x, generated from Auth0's API
// definition). Settings documents are answered as Auth0 answers a new tenant, or, where that would
// claim a protection the local tenant does not give, refused the way a plan without it is.
//
// Guess: Auth0 refuses features a tenant does not have with 403 `feature_not_enabled` (the Deploy
// CLI checks for that code on actions and organizations); the message is not documented.

/** The Management API permission names of these kinds, without their verb. */
const KIND_SCOPES = [
  "actions",
  "attack_protection",
  "branding",
  "connection_profiles",
  "custom_domains",
  "directory_provisionings",
  "email_provider",
  "email_templates",
  "event_streams",
  "flows",
  "flows_vault_connections",
  "forms",
  "guardian_factors",
  "hooks",
  "logs",
  "log_streams",
  "mfa_policies",
  "network_acls",
  "organizations",
  "phone_providers",
  "phone_templates",
  "prompts",
  "rate_limit_policies",
  "rules",
  "rules_configs",
  "self_service_profiles",
  "tenant_settings",
  "token_exchange_profiles",
  "user_attribute_profiles",
] as const;
type KindScope = (typeof KIND_SCOPES)[number];
const VERBS = ["read", "create", "update", "delete"] as const;
/** `read:actions`, `create:rules`, ...: what a token needs to call these endpoints, as on Auth0. */
export type UnmodelledScope = `${(typeof VERBS)[number]}:${KindScope}`;

/** How an empty list of one kind is answered. */
type Envelope =
  /** `page`/`per_page`: a bare array, or `{start, limit, total, <key>}` with `include_totals`; `{<key>}` with `from`/`take`. */
  | { paging: "offset"; key: string }
  /** `from`/`take` only: `{<key>}` (no `next`: there is no further page). */
  | { paging: "checkpoint"; key: string }
  /** The actions family: always `{total, page, per_page, <key>}`. */
  | { paging: "paged"; key: string }
  /** One object holding the whole (short) list: `{<key>}`. */
  | { paging: "keyed"; key: string }
  /** A bare array, never paged. */
  | { paging: "array" };

interface UnmodelledList {
  /** Below `/api/v2`; the collection itself. */
  path: string;
  /** The Management API permission name, without its verb: `read:<scope>`, `create:<scope>`, ... */
  scope: KindScope;
  envelope: Envelope;
}

const UNMODELLED_LISTS: readonly UnmodelledList[] = [
  { path: "/actions/actions", scope: "actions", envelope: { paging: "paged", key: "actions" } },
  { path: "/actions/modules", scope: "actions", envelope: { paging: "paged", key: "modules" } },
  // Auth0 lists the triggers it supports; a tenant without actions has none to bind to.
  { path: "/actions/triggers", scope: "actions", envelope: { paging: "keyed", key: "triggers" } },
  { path: "/actions/triggers/:trigger/bindings", scope: "actions", envelope: { paging: "paged", key: "bindings" } },
  { path: "/rules", scope: "rules", envelope: { paging: "offset", key: "rules" } },
  { path: "/rules-configs", scope: "rules_configs", envelope: { paging: "array" } },
  { path: "/hooks", scope: "hooks", envelope: { paging: "offset", key: "hooks" } },
  { path: "/organizations", scope: "organizations", envelope: { paging: "offset", key: "organizations" } },
  // The tenant keeps no log of events (sign-ins, changes): Auth0's list of them is empty here.
  { path: "/logs", scope: "logs", envelope: { paging: "offset", key: "logs" } },
  { path: "/log-streams", scope: "log_streams", envelope: { paging: "array" } },
  { path: "/custom-domains", scope: "custom_domains", envelope: { paging: "array" } },
  { path: "/event-streams", scope: "event_streams", envelope: { paging: "checkpoint", key: "eventStreams" } },
  { path: "/flows", scope: "flows", envelope: { paging: "offset", key: "flows" } },
  { path: "/flows/vault/connections", scope: "flows_vault_connections", envelope: { paging: "offset", key: "connections" } },
  { path: "/forms", scope: "forms", envelope: { paging: "offset", key: "forms" } },
  { path: "/self-service-profiles", scope: "self_service_profiles", envelope: { paging: "offset", key: "self_service_profiles" } },
  { path: "/network-acls", scope: "network_acls", envelope: { paging: "offset", key: "network_acls" } },
  {
    path: "/token-exchange-profiles",
    scope: "token_exchange_profiles",
    envelope: { paging: "checkpoint", key: "token_exchange_profiles" },
  },
  {
    path: "/user-attribute-profiles",
    scope: "user_attribute_profiles",
    envelope: { paging: "checkpoint", key: "user_attribute_profiles" },
  },
  { path: "/connection-profiles", scope: "connection_profiles", envelope: { paging: "checkpoint", key: "connection_profiles" } },
  { path: "/rate-limit-policies", scope: "rate_limit_policies", envelope: { paging: "checkpoint", key: "rate_limit_policies" } },
  {
    path: "/connections-directory-provisionings",
    scope: "directory_provisionings",
    envelope: { paging: "checkpoint", key: "directory_provisionings" },
  },
  { path: "/guardian/factors", scope: "guardian_factors", envelope: { paging: "array" } },
  // No MFA policy is what a new tenant has (the dashboard's "Never").
  { path: "/guardian/policies", scope: "mfa_policies", envelope: { paging: "array" } },
  { path: "/branding/phone/providers", scope: "phone_providers", envelope: { paging: "keyed", key: "providers" } },
  { path: "/branding/phone/templates", scope: "phone_templates", envelope: { paging: "keyed", key: "templates" } },
  { path: "/prompts/rendering", scope: "prompts", envelope: { paging: "offset", key: "configs" } },
];

/** A settings document: what a new tenant answers, or a refusal where the answer would not be true here. */
interface UnmodelledSetting {
  path: string;
  scope: KindScope;
  /** The document, or the refusal Auth0 answers where it is not configured or not available. */
  read: (context: RequestContext) => JsonObject | ManagementApiError;
}

const featureNotEnabled = (): ManagementApiError =>
  new ManagementApiError(403, "This feature is not enabled for this tenant.", "feature_not_enabled");

const UNMODELLED_SETTINGS: readonly UnmodelledSetting[] = [
  // Guess: the smallest true document; a new tenant's own holds more (flags, session lifetimes)
  // that this tenant does not apply.
  { path: "/tenants/settings", scope: "tenant_settings", read: () => ({ enabled_locales: ["en"] }) },
  // The local tenant gives none of these protections: it says so, rather than echo Auth0's defaults.
  { path: "/attack-protection/brute-force-protection", scope: "attack_protection", read: () => ({ enabled: false }) },
  { path: "/attack-protection/breached-password-detection", scope: "attack_protection", read: () => ({ enabled: false }) },
  { path: "/attack-protection/suspicious-ip-throttling", scope: "attack_protection", read: () => ({ enabled: false }) },
  { path: "/attack-protection/bot-detection", scope: "attack_protection", read: featureNotEnabled },
  { path: "/attack-protection/captcha", scope: "attack_protection", read: featureNotEnabled },
  { path: "/supplemental-signals", scope: "attack_protection", read: featureNotEnabled },
  // Nothing branded, no provider, no template: Auth0 answers 404 for what was never set.
  { path: "/branding", scope: "branding", read: () => ({}) },
  {
    path: "/branding/templates/universal-login",
    scope: "branding",
    read: () => notFound("Template does not exist.", "inexistent_template"),
  },
  { path: "/branding/themes/default", scope: "branding", read: () => notFound("There is no default theme.", "theme_not_found") },
  {
    path: "/emails/provider",
    scope: "email_provider",
    read: () => notFound("There is no email provider configured.", "inexistent_email_provider"),
  },
  {
    path: "/email-templates/:template",
    scope: "email_templates",
    read: () => notFound("The template does not exist.", "inexistent_email_template"),
  },
  // A new tenant's prompt settings (Auth0's documented defaults); the local tenant has no login page.
  {
    path: "/prompts",
    scope: "prompts",
    read: () => ({ universal_login_experience: "new", identifier_first: false, webauthn_platform_first_factor: false }),
  },
  { path: "/prompts/:prompt/custom-text/:language", scope: "prompts", read: () => ({}) },
  { path: "/prompts/:prompt/partials", scope: "prompts", read: () => ({}) },
];

const number = (value: string | undefined, fallback: number): number => {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
};

/** The empty list, in the envelope this endpoint answers. */
export function emptyList(envelope: Envelope, query: Readonly<Record<string, string>>): unknown {
  const page = number(query.page, 0);
  const perPage = number(query.per_page, 50);
  switch (envelope.paging) {
    case "array":
      return [];
    case "keyed":
    case "checkpoint":
      return { [envelope.key]: [] };
    case "paged":
      return { total: 0, page, per_page: perPage, [envelope.key]: [] };
    case "offset":
      if (query.from !== undefined || query.take !== undefined) return { [envelope.key]: [] };
      return query.include_totals === "true" ? { start: page * perPage, limit: perPage, total: 0, [envelope.key]: [] } : [];
  }
}

const refuseWrite = (): never => {
  throw featureNotEnabled();
};

/** Every write to a kind that is not modelled, on the collection or on one of its (absent) items. */
function writes(path: string, scope: KindScope): Route[] {
  const item = `${path}/:id`;
  return [
    route("POST", path, [`create:${scope}`], refuseWrite),
    route("PATCH", path, [`update:${scope}`], refuseWrite),
    route("PUT", path, [`update:${scope}`], refuseWrite),
    route("POST", item, [`create:${scope}`, `update:${scope}`], refuseWrite),
    route("PATCH", item, [`update:${scope}`], refuseWrite),
    route("PUT", item, [`update:${scope}`], refuseWrite),
    route("DELETE", item, [`delete:${scope}`], refuseWrite),
  ];
}

export const unmodelledRoutes: Route[] = [
  ...UNMODELLED_LISTS.flatMap(({ path, scope, envelope }) => [
    route("GET", path, [`read:${scope}`], ({ query }) => ({ status: 200, body: emptyList(envelope, query) })),
    // An item of a kind that has none does not exist.
    route("GET", `${path}/:id`, [`read:${scope}`], () => {
      throw notFound("The resource does not exist.", "inexistent_resource");
    }),
    ...writes(path, scope),
  ]),
  ...UNMODELLED_SETTINGS.flatMap(({ path, scope, read }) => [
    route("GET", path, [`read:${scope}`], (context) => {
      const answer = read(context);
      if (answer instanceof ManagementApiError) throw answer;
      return { status: 200, body: answer };
    }),
    route("PATCH", path, [`update:${scope}`], refuseWrite),
    route("PUT", path, [`update:${scope}`], refuseWrite),
    route("POST", path, [`create:${scope}`], refuseWrite),
    route("DELETE", path, [`delete:${scope}`], refuseWrite),
  ]),
];

/** The list endpoints answered empty (below `/api/v2`, `:name` standing for one path segment). */
export const UNMODELLED_LIST_PATHS: readonly string[] = UNMODELLED_LISTS.map(({ path }) => path);

/** The permissions these endpoints ask for, for the Management API's scope list. */
export const UNMODELLED_SCOPES: readonly UnmodelledScope[] = KIND_SCOPES.flatMap((scope) =>
  VERBS.map((verb) => `${verb}:${scope}` as const),
);
