import { evaluateCondition, ExpressionEvaluationError, literalValue, type ExpressionContext } from "./expressions";
import { effectivePolicy } from "./inheritance";
import { parsePolicyDocument, type PolicyDocument, type ReturnResponse, type SetHeader, type Statement } from "./policy-document";
import { SigningKeyResolver } from "./signing-keys";
import { evaluateValidateJwt, type GatewayRequest } from "./validate-jwt";

/**
 * A model of an API Management gateway for one API: it routes a request to an operation,
 * merges the scopes' policies through `<base/>` (service, if given, then API, then the
 * operation's own, if it has one), runs the inbound section and, when a policy fails, the
 * on-error section, and answers as the gateway would. A request that passes inbound
 * reaches a stub backend (200). It knows nothing of the spec: it reads only the XML it is
 * given.
 *
 * `handle(request)` is the one entry point: method, path (below the API) and headers in;
 * status, headers (each a list of values, one per header line) and a JSON body out.
 */

export interface GatewayOperationDefinition {
  readonly id: string;
  readonly method: string;
  readonly urlTemplate: string;
  /** The operation's own policy; none, and the API's policy is the whole of it. */
  readonly policyXml?: string;
}

export interface GatewayDefinition {
  /** The service (global) scope's policy, outermost; none is an empty global policy. */
  readonly servicePolicyXml?: string;
  readonly apiPolicyXml: string;
  /** The operations API Management holds for the API: the declared ones, and any added beside them. */
  readonly operations: readonly GatewayOperationDefinition[];
  /** Named values, by name, as `{{name}}` refers to them. */
  readonly namedValues?: Readonly<Record<string, string>>;
  /** Serves the OpenID configuration and JWKS (the Auth0 stand-in's fetch). */
  readonly fetch: typeof fetch;
  /** Seconds since the epoch; the real clock by default. Drives token lifetimes and the key cache. */
  readonly now?: () => number;
}

export interface GatewayResponse {
  readonly status: number;
  /** Header names in lower case; each value is one header line (RFC 9110 field lines). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
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

/**
 * set-header's usage notes: several values of a header are joined into one comma-separated
 * value, except for these standard headers, whose values are sent as separate headers.
 */
const SEPARATE_VALUES = new Set([
  "user-agent",
  "www-authenticate",
  "proxy-authenticate",
  "cookie",
  "set-cookie",
  "warning",
  "date",
  "expires",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "retry-after",
]);

type Headers = Map<string, string[]>;

function applySetHeader(statement: SetHeader, headers: Headers): void {
  const name = statement.name.toLowerCase();
  const given = statement.values.map(literalValue);
  const values = SEPARATE_VALUES.has(name) || given.length === 0 ? given : [given.join(",")];
  const existing = headers.get(name);
  if (statement.existsAction === "delete") headers.delete(name);
  else if (statement.existsAction === "append" && existing !== undefined)
    headers.set(name, SEPARATE_VALUES.has(name) ? [...existing, ...values] : [[...existing, ...values].join(",")]);
  else if (statement.existsAction !== "skip" || existing === undefined) headers.set(name, values);
}

/** How a section ended: ran to its end, or a `return-response` (which ends the pipeline), or a failure (which goes to on-error). */
type Outcome =
  | { readonly kind: "continue" }
  | { readonly kind: "return"; readonly response: ReturnResponse }
  | {
      readonly kind: "error";
      readonly status: number;
      readonly message: string;
      readonly lastError: NonNullable<ExpressionContext["lastError"]>;
    };

const CONTINUE: Outcome = { kind: "continue" };

/** The JSON body API Management writes for its own errors (a guess at the shape; tests read only statusCode). */
function errorBody(status: number, message: string): GatewayResponse["body"] {
  return { statusCode: status, message };
}

function jsonOrText(text: string): GatewayResponse["body"] {
  try {
    return JSON.parse(text) as GatewayResponse["body"];
  } catch {
    return { message: text };
  }
}

export class ValidateJwtGateway {
  private readonly operations: CompiledOperation[];
  private readonly keys: SigningKeyResolver;
  private readonly now: () => number;

  constructor(definition: GatewayDefinition) {
    const namedValues = definition.namedValues ?? {};
    const scopes = [
      ...(definition.servicePolicyXml === undefined ? [] : [parsePolicyDocument(definition.servicePolicyXml, namedValues)]),
      parsePolicyDocument(definition.apiPolicyXml, namedValues),
    ];
    this.operations = definition.operations.map((operation) => ({
      id: operation.id,
      method: operation.method.toUpperCase(),
      pattern: templatePattern(operation.urlTemplate),
      policy: effectivePolicy(
        operation.policyXml === undefined ? scopes : [...scopes, parsePolicyDocument(operation.policyXml, namedValues)],
      ),
    }));
    this.now = definition.now ?? (() => Math.floor(Date.now() / 1000));
    this.keys = new SigningKeyResolver(definition.fetch, this.now);
  }

  /** How many times the gateway pulled an OpenID configuration (and its JWKS), by URL. */
  configurationPulls(url: string): number {
    return this.keys.pulls.get(url) ?? 0;
  }

  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const path = new URL(request.path, "https://gateway.invalid").pathname;
    const operation = this.operations.find(
      (candidate) => candidate.method === request.method.toUpperCase() && candidate.pattern.test(path),
    );
    if (operation === undefined) {
      // APIM answers 404 (OperationNotFound) when no operation of the API matches. Guess:
      // no scope's policy runs for it, as there is no operation to build the pipeline for.
      return {
        status: 404,
        headers: {},
        body: errorBody(404, "Resource not found"),
        operationId: undefined,
        lastError: {
          source: "configuration",
          reason: "OperationNotFound",
          message: "Unable to match incoming request to an operation.",
          policyId: undefined,
        },
      };
    }
    const variables = new Map<string, Readonly<Record<string, unknown>>>();
    const context = (lastError: ExpressionContext["lastError"], responseStatus: number): ExpressionContext => ({
      lastError,
      responseStatus,
      operationId: operation.id,
      variables,
    });
    const inbound = await this.runInbound(operation.policy.inbound, request, variables, context);
    if (inbound.kind === "return") return this.returned(inbound.response, operation.id, undefined);
    if (inbound.kind === "continue") {
      return { status: 200, headers: {}, body: { operation: operation.id }, operationId: operation.id, lastError: undefined };
    }
    const headers: Headers = new Map();
    const onError = this.runOnError(operation.policy.onError, context(inbound.lastError, inbound.status), headers);
    if (onError !== undefined) return this.returned(onError, operation.id, inbound.lastError);
    return {
      status: inbound.status,
      headers: Object.fromEntries(headers),
      body: errorBody(inbound.status, inbound.message),
      operationId: operation.id,
      lastError: inbound.lastError,
    };
  }

  private returned(response: ReturnResponse, operationId: string, lastError: ExpressionContext["lastError"]): GatewayResponse {
    const headers: Headers = new Map();
    for (const header of response.headers) applySetHeader(header, headers);
    const body = response.body === undefined ? {} : jsonOrText(literalValue(response.body));
    return { status: response.status, headers: Object.fromEntries(headers), body, operationId, lastError };
  }

  private async runInbound(
    statements: readonly Statement[],
    request: GatewayRequest,
    variables: Map<string, Readonly<Record<string, unknown>>>,
    context: (lastError: ExpressionContext["lastError"], status: number) => ExpressionContext,
  ): Promise<Outcome> {
    for (const statement of statements) {
      switch (statement.kind) {
        case "validate-jwt": {
          const policy = statement.policy;
          const result = await evaluateValidateJwt(policy, request, this.keys, this.now());
          if (!result.valid) {
            return {
              kind: "error",
              status: policy.failedStatus,
              message: policy.failedMessage ?? result.message,
              lastError: { source: "validate-jwt", reason: result.reason, message: result.message, policyId: policy.id },
            };
          }
          if (policy.outputTokenVariableName !== undefined) variables.set(policy.outputTokenVariableName, result.claims);
          break;
        }
        case "choose": {
          let branch: readonly Statement[];
          try {
            branch =
              statement.when.find((when) => evaluateCondition(when.condition, context(undefined, 200)))?.statements ?? statement.otherwise;
          } catch (error) {
            if (!(error instanceof ExpressionEvaluationError)) throw error;
            // Guess: an expression that throws fails the request with 500 and goes to on-error;
            // the reason's name is a guess at APIM's.
            return {
              kind: "error",
              status: 500,
              message: "Internal server error",
              lastError: { source: "choose", reason: "ExpressionValueEvaluationFailure", message: error.message, policyId: undefined },
            };
          }
          const outcome = await this.runInbound(branch, request, variables, context);
          if (outcome.kind !== "continue") return outcome;
          break;
        }
        case "return-response":
          return { kind: "return", response: statement };
        default:
          throw new Error(`inbound <${statement.kind}> is outside the modelled subset`);
      }
    }
    return CONTINUE;
  }

  /** Runs on-error; a `return-response` there replaces the response being built, headers and all. */
  private runOnError(statements: readonly Statement[], context: ExpressionContext, headers: Headers): ReturnResponse | undefined {
    for (const statement of statements) {
      switch (statement.kind) {
        case "choose": {
          const branch = statement.when.find((when) => evaluateCondition(when.condition, context));
          const returned = this.runOnError(branch?.statements ?? statement.otherwise, context, headers);
          if (returned !== undefined) return returned;
          break;
        }
        case "set-header":
          applySetHeader(statement, headers);
          break;
        case "return-response":
          return statement;
        default:
          throw new Error(`on-error <${statement.kind}> is outside the modelled subset`);
      }
    }
    return undefined;
  }
}
