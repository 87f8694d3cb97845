import { PROGRAM_BUILD, refuseStaleBuild } from "./build-stamp";
import { loadTenantSpec } from "./config/load";
import { declareTimesheetsTenant } from "./program";

// Run as dist/infra/index.js: never a build older than the sources (`pulumi up` by hand after a pull).
refuseStaleBuild(PROGRAM_BUILD, __filename, 2);
const tenant = declareTimesheetsTenant(loadTenantSpec());

export const audience = tenant.audience;
export const issuer = tenant.issuer;
export const tokenEndpoint = tenant.tokenEndpoint;
export const importJobClientId = tenant.importJobClientId;
export const importJobClientSecret = tenant.importJobClientSecret;
export const connectionName = tenant.connectionName;
export const testUserEmail = tenant.testUserEmail;
export const testUserPassword = tenant.testUserPassword;
export const gatewayUrl = tenant.gatewayUrl;
export const testClientId = tenant.testClientId;
export const testClientSecret = tenant.testClientSecret;
export const portalClientId = tenant.portalClientId;
export const portalClientSecret = tenant.portalClientSecret;
