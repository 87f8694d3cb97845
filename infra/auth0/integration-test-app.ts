import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import type { DeveloperPortalAppSpec, IntegrationTestAppSpec } from "../config/spec";
import { ownedClientSecret } from "./client-secret";
import { grantArgs } from "./import-job";

/** An application people sign in through, with a user grant on the API: the integration-test one, the developer portal's. */
export type UserApplicationSpec = IntegrationTestAppSpec | DeveloperPortalAppSpec;

export interface IntegrationTestAppArgs {
  readonly application: UserApplicationSpec;
  /** The API's identifier as an output, so the grant waits for the API. */
  readonly audience: pulumi.Input<string>;
}

/**
 * A first-party client of the spec's grant types and browser URLs: the integration-test
 * application only exchanges a user's password for a token (no callbacks, no origins; first
 * party, because Auth0 lets only first-party applications use the password grant without
 * consent); the developer portal's returns to exactly the portal's redirect URI.
 */
export function clientArgs(application: UserApplicationSpec): auth0.ClientArgs {
  return {
    name: application.name,
    description: application.description,
    appType: application.appType,
    grantTypes: [...application.grantTypes],
    isFirstParty: application.isFirstParty,
    oidcConformant: application.oidcConformant,
    jwtConfiguration: { alg: application.jwtAlg },
    callbacks: [...application.callbacks],
    allowedOrigins: [...application.allowedOrigins],
    webOrigins: [...application.webOrigins],
    allowedLogoutUrls: [...application.allowedLogoutUrls],
  };
}

/** An application people sign in through: its client, the secret the program owns, and its user grant on the API. */
export class UserApplication extends pulumi.ComponentResource {
  readonly client: auth0.Client;
  readonly credentials: auth0.ClientCredentials;
  readonly grant: auth0.ClientGrant;
  readonly clientId: pulumi.Output<string>;
  /** The client secret the program owns, a secret output. */
  readonly clientSecret: pulumi.Output<string>;

  constructor(type: string, name: string, args: IntegrationTestAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);

    this.client = new auth0.Client(`${name}-client`, clientArgs(args.application), { parent: this });
    this.clientId = this.client.clientId;
    const secret = pulumi.secret(ownedClientSecret(name, this).result);
    this.credentials = new auth0.ClientCredentials(
      `${name}-credentials`,
      { clientId: this.clientId, authenticationMethod: args.application.authMethod, clientSecret: secret },
      { parent: this },
    );
    // The user grant: the most a user's token from this application may carry on the API.
    this.grant = new auth0.ClientGrant(`${name}-grant`, grantArgs(args.application, this.clientId, args.audience), {
      parent: this,
      // A new audience is a new grant: on the new API before the old grant goes (see TimesheetsApi).
      deleteBeforeReplace: false,
    });
    // The program's value, never the provider's read of it (see ImportJob), once the credentials carry it.
    this.clientSecret = pulumi.secret(pulumi.all([secret, this.credentials.id]).apply(([value]) => value));

    this.registerOutputs({ clientId: this.clientId, clientSecret: this.clientSecret });
  }
}

/** "Timesheets Integration Test": the application `npm run verify` signs the test user in with. */
export class IntegrationTestApp extends UserApplication {
  constructor(name: string, args: IntegrationTestAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:IntegrationTestApp", name, args, opts);
  }
}

/** "Timesheets Developer Portal": the application API Management's developer portal signs people in with. */
export class DeveloperPortalApp extends UserApplication {
  constructor(name: string, args: IntegrationTestAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:DeveloperPortalApp", name, args, opts);
  }
}
