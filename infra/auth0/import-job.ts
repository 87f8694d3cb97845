import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import type { ImportJobSpec } from "../config/spec";
import { ownedClientSecret } from "./client-secret";

export interface ImportJobArgs {
  readonly importJob: ImportJobSpec;
  /** The API's identifier as an output, so the grant waits for the API. */
  readonly audience: pulumi.Input<string>;
  /** Existing objects to import instead of creating them: the client (and with it its credentials) and its grant. */
  readonly adopt?: { readonly clientId?: string | undefined; readonly grantId?: string | undefined };
}

/** The machine-to-machine client, every setting from the spec: no browser flows, no callbacks, no origins. */
export function clientArgs(job: ImportJobSpec): auth0.ClientArgs {
  return {
    name: job.name,
    description: job.description,
    appType: job.appType,
    grantTypes: [...job.grantTypes],
    isFirstParty: job.isFirstParty,
    oidcConformant: job.oidcConformant,
    jwtConfiguration: { alg: job.jwtAlg },
    callbacks: [...job.callbacks],
    allowedOrigins: [...job.allowedOrigins],
    webOrigins: [...job.webOrigins],
    allowedLogoutUrls: [...job.allowedLogoutUrls],
  };
}

/**
 * The client's credentials: its public keys for private_key_jwt, or the secret the program owns
 * (`clientSecret`, a secret input) for client_secret_post / client_secret_basic.
 */
export function credentialsArgs(
  job: ImportJobSpec,
  clientId: pulumi.Input<string>,
  clientSecret: pulumi.Input<string> | undefined,
): auth0.ClientCredentialsArgs {
  const { authentication } = job;
  if (authentication.method === "private_key_jwt") {
    return {
      clientId,
      authenticationMethod: "private_key_jwt",
      privateKeyJwt: {
        credentials: authentication.keys.map(({ name, pem }) => ({
          name,
          credentialType: "public_key",
          pem,
          algorithm: authentication.algorithm,
        })),
      },
    };
  }
  if (clientSecret === undefined) throw new Error(`${authentication.method} needs the client secret the program owns`);
  return { clientId, authenticationMethod: authentication.method, clientSecret };
}

/** A client's grant on the API as its spec declares it: the scopes and whom they are for (the client, or its users). */
export function grantArgs(
  application: { readonly grant: { readonly scopes: readonly string[]; readonly subjectType: "client" | "user" } },
  clientId: pulumi.Input<string>,
  audience: pulumi.Input<string>,
): auth0.ClientGrantArgs {
  return { clientId, audience, scopes: [...application.grant.scopes], subjectType: application.grant.subjectType };
}

/** "Timesheets Import Job": the cron job's client, its credentials, and its one grant on the API. */
export class ImportJob extends pulumi.ComponentResource {
  readonly client: auth0.Client;
  readonly credentials: auth0.ClientCredentials;
  readonly grant: auth0.ClientGrant;
  readonly clientId: pulumi.Output<string>;
  /** The client secret the program owns (a secret output); undefined for private_key_jwt, which has none. */
  readonly clientSecret: pulumi.Output<string | undefined>;

  constructor(name: string, args: ImportJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:ImportJob", name, {}, opts);

    const adopt = args.adopt ?? {};
    this.client = new auth0.Client(`${name}-client`, clientArgs(args.importJob), { parent: this, import: adopt.clientId });
    this.clientId = this.client.clientId;
    const hasSecret = args.importJob.authentication.method !== "private_key_jwt";
    const secret = hasSecret ? pulumi.secret(ownedClientSecret(name, this).result) : undefined;
    this.credentials = new auth0.ClientCredentials(`${name}-credentials`, credentialsArgs(args.importJob, this.clientId, secret), {
      parent: this,
      // A client's keys are adopted (imported by the client's id). A secret is not: its "create" is
      // the PATCH that sets the program's secret on the existing client, which an import would
      // only report as a difference (the live secret is not the program's).
      import: hasSecret ? undefined : adopt.clientId,
    });
    this.grant = new auth0.ClientGrant(`${name}-grant`, grantArgs(args.importJob, this.clientId, args.audience), {
      parent: this,
      import: adopt.grantId,
      // A new audience is a new grant: on the new API before the old grant goes (see TimesheetsApi).
      deleteBeforeReplace: false,
    });

    // The program's value, never the provider's read of it: a read without `read:client_keys` returns "".
    // Published once the credentials carry it, so a consumer never gets a secret Auth0 does not hold yet.
    this.clientSecret =
      secret === undefined ? pulumi.output(undefined) : pulumi.secret(pulumi.all([secret, this.credentials.id]).apply(([value]) => value));

    this.registerOutputs({ clientId: this.clientId, clientSecret: this.clientSecret });
  }
}
