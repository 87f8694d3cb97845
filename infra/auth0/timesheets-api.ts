import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import type { ApiSpec } from "../config/spec";

export interface TimesheetsApiArgs {
  readonly api: ApiSpec;
  /** Protect the resource server from deletion (prod). */
  readonly protect: boolean;
  /** The id of an existing resource server to import instead of creating one. */
  readonly adoptId?: string | undefined;
}

/** The resource server's inputs, as the spec declares them. */
export function resourceServerArgs(api: ApiSpec): auth0.ResourceServerArgs {
  return {
    name: api.name,
    identifier: api.identifier,
    signingAlg: api.signingAlg,
    tokenDialect: api.tokenDialect,
    enforcePolicies: api.enforcePolicies,
    tokenLifetime: api.tokenLifetime,
    allowOfflineAccess: api.allowOfflineAccess,
    subjectTypeAuthorization: {
      client: { policy: api.clientPolicy },
      ...(api.userPolicy === undefined ? {} : { user: { policy: api.userPolicy } }),
    },
  };
}

/** The whole permission set, managed as one resource so that nothing added out of band survives an update. */
export function permissionScopes(api: ApiSpec): auth0.types.input.ResourceServerScopesScope[] {
  return api.permissions.map(({ name, description }) => ({ name, description }));
}

/** The Timesheets API: an Auth0 resource server and its permissions. */
export class TimesheetsApi extends pulumi.ComponentResource {
  readonly resourceServer: auth0.ResourceServer;
  readonly permissions: auth0.ResourceServerScopes;
  /** The audience clients ask tokens for. */
  readonly identifier: pulumi.Output<string>;

  constructor(name: string, args: TimesheetsApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:TimesheetsApi", name, {}, opts);

    this.resourceServer = new auth0.ResourceServer(`${name}-resource-server`, resourceServerArgs(args.api), {
      parent: this,
      protect: args.protect,
      // Auth0 never lets an identifier change: a new one is a new API, and the preview must say so.
      replaceOnChanges: ["identifier"],
      // The new API first, then the old one deleted: tokens for the old audience keep working
      // until the replacement exists, and a failed create leaves the old API in place. The bridge
      // would otherwise delete first, as for any resource with a name set; Auth0 holds only the
      // identifier unique, so both can exist for a moment under the same name (inferred from
      // the Management API's 409 on a duplicate identifier alone; not tried on a real tenant).
      deleteBeforeReplace: false,
      // The provider stores an HS256 API's signing secret as a plain output; it signs tokens, so state must hold it encrypted.
      additionalSecretOutputs: ["signingSecret"],
      import: args.adoptId,
    });

    this.permissions = new auth0.ResourceServerScopes(
      `${name}-permissions`,
      { resourceServerIdentifier: this.resourceServer.identifier, scopes: permissionScopes(args.api) },
      // Auth0 keys a resource server's scope set by the API's identifier: a new identifier is a new
      // set, created on the new API before the old one goes.
      { parent: this, import: args.adoptId === undefined ? undefined : args.api.identifier, deleteBeforeReplace: false },
    );

    this.identifier = this.resourceServer.identifier;
    this.registerOutputs({ identifier: this.identifier });
  }
}
