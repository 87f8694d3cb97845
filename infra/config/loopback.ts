/*
 * The local environment's one privilege: its tenant and gateway may be this machine. Kept apart
 * so that the config schema, the gateway schema and the policy pack's twin read one rule.
 */

/** This machine, with a port: where `npm run local` serves the local Auth0 and the local gateway. */
export const LOOPBACK_ADDRESS =
  /^(?:127\.0\.0\.1|localhost|\[::1\]):(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;

/** Whether a tenant domain names this machine (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`): the local Auth0, never a real tenant. */
export function isLoopbackAddress(value: string): boolean {
  return LOOPBACK_ADDRESS.test(value.trim().toLowerCase());
}

/** The one wording for a loopback domain outside the local environment, shared by the program's config and the policy pack. */
export function loopbackRefusal(value: string, environment: string): string {
  return `${JSON.stringify(value)} is this machine (the local Auth0 of \`npm run local\`); a loopback domain is accepted only in environment local, and this stack is ${environment}`;
}
