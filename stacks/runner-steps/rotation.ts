/**
 * The clients whose secret the program owns (infra/auth0/client-secret.ts), by the name of the
 * component that declares them. Rotating one replaces its random secret: the credentials then
 * send the new value to Auth0 in the same update, and the stack output follows.
 */
export const CLIENTS_WITH_SECRETS = {
  "import-job": "timesheets:auth0:ImportJob",
  "integration-test": "timesheets:auth0:IntegrationTestApp",
  "developer-portal": "timesheets:auth0:DeveloperPortalApp",
} as const;

export type ClientWithSecret = keyof typeof CLIENTS_WITH_SECRETS;

/** The URN of a client's program-owned secret in a stack of this project: what `pulumi up --replace` takes. */
export function clientSecretUrn(stack: string, client: ClientWithSecret): string {
  return `urn:pulumi:${stack}::timesheets::${CLIENTS_WITH_SECRETS[client]}$random:index/randomPassword:RandomPassword::${client}-client-secret`;
}
