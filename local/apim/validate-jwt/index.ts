export {
  ValidateJwtGateway,
  type GatewayDefinition,
  type GatewayOperationDefinition,
  type GatewayRequest,
  type GatewayResponse,
} from "./gateway";
export { parsePolicyDocument, type PolicyDocument, type ValidateJwtPolicy } from "./policy-document";
export { CONFIGURATION_LIFETIME_SECONDS, REFRESH_INTERVAL_SECONDS } from "./signing-keys";
export { effectivePolicy } from "./inheritance";
export type { ValidationReason } from "./validate-jwt";
export { gatewayFromSpec, type GatewayOptions, type PolicyEdit } from "./from-spec";
