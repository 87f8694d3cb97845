import type { LiveClient } from "../../stacks/auth0/model";

/** A machine-to-machine client as the audit reads one the program set up like the import job, with `fields` changed. */
export const m2m = (fields: Pick<LiveClient, "clientId" | "name"> & Partial<LiveClient>): LiveClient => ({
  description: undefined,
  appType: "non_interactive",
  grantTypes: ["client_credentials"],
  isFirstParty: true,
  oidcConformant: true,
  callbacks: [],
  allowedOrigins: [],
  webOrigins: [],
  allowedLogoutUrls: [],
  jwtAlg: "RS256",
  authMethod: "client_secret_post",
  keyCount: 0,
  ...fields,
});
