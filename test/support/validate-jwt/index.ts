export {
  ValidateJwtGateway,
  type GatewayDefinition,
  type GatewayOperationDefinition,
  type GatewayRequest,
  type GatewayResponse,
} from "./gateway";
export { parsePolicyDocument, type PolicyDocument, type ValidateJwtPolicy } from "./policy-document";
export { effectivePolicy } from "./inheritance";
export type { ValidationReason } from "./validate-jwt";
