import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import type { ImportJobSpec } from "../config/spec";

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

export function credentialsArgs(job: ImportJobSpec, clientId: pulumi.Input<string>): auth0.ClientCredentialsArgs {
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
  return { clientId, authenticationMethod: authentication.method };
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
  /** The client secret (a secret output); undefined for private_key_jwt, which has none. */
  readonly clientSecret: pulumi.Output<string | undefined>;

  constructor(name: string, args: ImportJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:ImportJob", name, {}, opts);

    const adopt = args.adopt ?? {};
    this.client = new auth0.Client(`${name}-client`, clientArgs(args.importJob), { parent: this, import: adopt.clientId });
    this.clientId = this.client.clientId;
    this.credentials = new auth0.ClientCredentials(`${name}-credentials`, credentialsArgs(args.importJob, this.clientId), {
      parent: this,
      // A client's credentials are addressed by the client's id.
      import: adopt.clientId,
    });
    this.grant = new auth0.ClientGrant(`${name}-grant`, grantArgs(args.importJob, this.clientId, args.audience), {
      parent: this,
      import: adopt.grantId,
    });

    const hasSecret = args.importJob.authentication.method !== "private_key_jwt";
    // The provider marks clientSecret secret, but only on a real engine; wrap it so no path loses that.
    this.clientSecret = hasSecret ? pulumi.secret(this.credentials.clientSecret) : pulumi.output(undefined);

    this.registerOutputs({ clientId: this.clientId, clientSecret: this.clientSecret });
  }
}
