import { evaluateCondition, literalValue, type ExpressionContext } from "./expressions";
import { effectivePolicy } from "./inheritance";
import { parsePolicyDocument, type PolicyDocument, type Statement } from "./policy-document";
import { SigningKeyResolver } from "./signing-keys";
import { evaluateValidateJwt, type GatewayRequest } from "./validate-jwt";

/**
 * A model of an API Management gateway for one API: it routes a request to an
 * operation, merges the API and operation policies through `<base/>`, runs the inbound
 * section and, when a policy fails, the on-error section, and answers as the gateway
 * would. A request that passes inbound reaches a stub backend (200). It knows nothing of
 * the spec: it reads only the rendered XML it is given.
 */

export interface GatewayOperationDefinition {
  readonly id: string;
  readonly method: string;
  readonly urlTemplate: string;
  readonly policyXml: string;
}

export interface GatewayDefinition {
  readonly apiPolicyXml: string;
  readonly operations: readonly GatewayOperationDefinition[];
  /** Named values, by name, as `{{name}}` refers to them. */
  readonly namedValues?: Readonly<Record<string, string>>;
  /** Serves the OpenID configuration and JWKS (the Auth0 stand-in's fetch). */
  readonly fetch: typeof fetch;
  /** Seconds since the epoch; the real clock by default. */
  readonly now?: () => number;
}

export interface GatewayResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly statusCode?: number; readonly message?: string; readonly operation?: string };
  /** The operation the request was routed to, or undefined (404). */
  readonly operationId: string | undefined;
  /** `context.LastError` when a policy failed. */
  readonly lastError: ExpressionContext["lastError"];
}

export type { GatewayRequest };

interface CompiledOperation {
  readonly id: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly policy: PolicyDocument;
}

/** `/timesheets/{id}` matches `/timesheets/42` and not `/timesheets/42/approve`. */
function templatePattern(urlTemplate: string): RegExp {
  const source = urlTemplate
    .split(/(\{[^{}]+\})/)
    .map((part) => (/^\{[^{}]+\}$/.test(part) ? "[^/?#]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

export class ValidateJwtGateway {
  private readonly operations: CompiledOperation[];
  private readonly keys: SigningKeyResolver;
  private readonly now: () => number;

  constructor(definition: GatewayDefinition) {
    const namedValues = definition.namedValues ?? {};
    const api = parsePolicyDocument(definition.apiPolicyXml, namedValues);
    this.operations = definition.operations.map((operation) => ({
      id: operation.id,
      method: operation.method.toUpperCase(),
      pattern: templatePattern(operation.urlTemplate),
      policy: effectivePolicy([api, parsePolicyDocument(operation.policyXml, namedValues)]),
    }));
    this.keys = new SigningKeyResolver(definition.fetch);
    this.now = definition.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const path = new URL(request.path, "https://gateway.invalid").pathname;
    const operation = this.operations.find(
      (candidate) => candidate.method === request.method.toUpperCase() && candidate.pattern.test(path),
    );
    if (operation === undefined) {
      return {
        status: 404,
        headers: {},
        body: { statusCode: 404, message: "Resource not found" },
        operationId: undefined,
        lastError: undefined,
      };
    }
    const headers = new Map<string, string>();
    for (const statement of operation.policy.inbound) {
      if (statement.kind !== "validate-jwt") throw new Error(`inbound <${statement.kind}> is outside the modelled subset`);
      const result = await evaluateValidateJwt(statement.policy, request, this.keys, this.now());
      if (!result.valid) {
        const status = statement.policy.failedStatus;
        const lastError = { source: "validate-jwt", reason: result.reason, message: result.message, policyId: statement.policy.id };
        this.runOnError(operation.policy.onError, { lastError, responseStatus: status }, headers);
        const message = statement.policy.failedMessage ?? result.message;
        return {
          status,
          headers: Object.fromEntries(headers),
          body: { statusCode: status, message },
          operationId: operation.id,
          lastError,
        };
      }
    }
    return {
      status: 200,
      headers: Object.fromEntries(headers),
      body: { operation: operation.id },
      operationId: operation.id,
      lastError: undefined,
    };
  }

  private runOnError(statements: readonly Statement[], context: ExpressionContext, headers: Map<string, string>): void {
    for (const statement of statements) {
      switch (statement.kind) {
        case "choose": {
          const branch = statement.when.find((when) => evaluateCondition(when.condition, context));
          this.runOnError(branch?.statements ?? statement.otherwise, context, headers);
          break;
        }
        case "set-header": {
          const name = statement.name.toLowerCase();
          const value = statement.values.map(literalValue).join(",");
          const existing = headers.get(name);
          if (statement.existsAction === "delete") headers.delete(name);
          else if (statement.existsAction === "append" && existing !== undefined) headers.set(name, `${existing},${value}`);
          else if (statement.existsAction !== "skip" || existing === undefined) headers.set(name, value);
          break;
        }
        default:
          throw new Error(`on-error <${statement.kind}> is outside the modelled subset`);
      }
    }
  }
}
