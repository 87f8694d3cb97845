import { renderApiPolicy } from "../../../infra/azure/policy-xml";
import type { TenantSpec } from "../../../infra/config/spec";
import { ValidateJwtGateway, type GatewayOperationDefinition } from "./gateway";

/** Rewrites the rendered API policy before the model reads it: how the harness's own tests break a policy on purpose. */
export type PolicyEdit = (xml: string) => string;

export interface GatewayOptions {
  /** Serves the OpenID configuration and JWKS (an Auth0 stand-in's fetch). */
  readonly fetch: typeof fetch;
  readonly namedValues?: Record<string, string>;
  readonly edit?: PolicyEdit;
  /** The service (global) scope's policy. */
  readonly servicePolicyXml?: string;
  /** Operations API Management holds beside the declared ones (added in the portal, an OpenAPI import). */
  readonly extraOperations?: readonly GatewayOperationDefinition[];
  /** Policies of their own for some declared operations, by operation id. */
  readonly operationPolicies?: Readonly<Record<string, string>>;
  /** Seconds since the epoch; the real clock by default. */
  readonly now?: () => number;
}

/**
 * The gateway as the program leaves it for a stack: the rendered API policy, and each
 * declared operation without a policy of its own. `handle({ method, path, headers })` on
 * the result answers as API Management would.
 */
export function gatewayFromSpec(spec: TenantSpec, options: GatewayOptions): ValidateJwtGateway {
  const edit = options.edit ?? ((xml: string) => xml);
  const operations = spec.gateway?.operations ?? [];
  return new ValidateJwtGateway({
    servicePolicyXml: options.servicePolicyXml,
    apiPolicyXml: edit(renderApiPolicy(spec)),
    operations: [
      ...operations.map((operation) => ({
        id: operation.id,
        method: operation.method,
        urlTemplate: operation.urlTemplate,
        policyXml: options.operationPolicies?.[operation.id],
      })),
      ...(options.extraOperations ?? []),
    ],
    namedValues: options.namedValues ?? {},
    fetch: options.fetch,
    now: options.now,
  });
}
