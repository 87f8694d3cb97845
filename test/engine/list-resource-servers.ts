import { ManagementClient } from "auth0";

// A Management API client in a process of its own, with nothing but the environment: the way
// the audit and the provider reach a tenant. It gets a token from /oauth/token with the client
// credentials and prints the identifiers of the tenant's APIs as JSON.

async function main(): Promise<void> {
  const { AUTH0_DOMAIN: domain, AUTH0_CLIENT_ID: clientId, AUTH0_CLIENT_SECRET: clientSecret } = process.env;
  if (!domain || !clientId || !clientSecret) throw new Error("set AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET");
  const management = new ManagementClient({ domain, clientId, clientSecret });
  const page = await management.resourceServers.list();
  console.log(JSON.stringify(page.data.map((api) => api.identifier)));
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  console.error(`${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exitCode = 1;
});
