import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PasswordOptionsSpec } from "../config/password-options";
import type { ConnectionSpec, TestUserSpec } from "../config/spec";

export interface UserStoreArgs {
  readonly connection: ConnectionSpec;
  readonly testUser: TestUserSpec | undefined;
  /** Clients that may use the connection; the list is authoritative. */
  readonly enabledClients: pulumi.Input<string>[];
  /** Deleting a database connection deletes its users: protect it in prod. */
  readonly protect: boolean;
  /** The id of an existing connection to import (with its enabled clients) instead of creating one. */
  readonly adoptId?: string | undefined;
}

export function passwordOptionsArgs(options: PasswordOptionsSpec): auth0.types.input.ConnectionOptionsPasswordOptions {
  return {
    complexity: {
      minLength: options.minLength,
      characterTypes: [...options.characterTypes],
      characterTypeRule: options.characterTypeRule,
      identicalCharacters: options.identicalCharacters,
      sequentialCharacters: options.sequentialCharacters,
    },
    history: { active: options.historySize > 0, size: options.historySize },
    dictionary: { active: options.dictionary },
    profileData: { active: options.profileData },
  };
}

export function connectionArgs(connection: ConnectionSpec): auth0.ConnectionArgs {
  return {
    name: connection.name,
    strategy: connection.strategy,
    options: {
      // One model or the other, never both: Auth0 refuses the mix.
      ...(connection.passwordPolicy !== undefined && { passwordPolicy: connection.passwordPolicy }),
      ...(connection.passwordOptions !== undefined && { passwordOptions: passwordOptionsArgs(connection.passwordOptions) }),
      bruteForceProtection: connection.bruteForceProtection,
      disableSignup: connection.disableSignup,
    },
  };
}

/** The database connection that stores users, the clients enabled on it and, where asked for, a test user. */
export class UserStore extends pulumi.ComponentResource {
  readonly connection: auth0.Connection;
  readonly enabledClients: auth0.ConnectionClients;
  readonly testUser: auth0.User | undefined;
  readonly connectionName: pulumi.Output<string>;
  /** The test user's password, a secret; undefined where the stack has no test user. */
  readonly testUserPassword: pulumi.Output<string> | undefined;

  constructor(name: string, args: UserStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:UserStore", name, {}, opts);

    this.connection = new auth0.Connection(`${name}-connection`, connectionArgs(args.connection), {
      parent: this,
      protect: args.protect,
      import: args.adoptId,
    });
    this.connectionName = this.connection.name;

    this.enabledClients = new auth0.ConnectionClients(
      `${name}-enabled-clients`,
      { connectionId: this.connection.id, enabledClients: args.enabledClients },
      // A connection's client list is addressed by the connection's id.
      { parent: this, import: args.adoptId },
    );

    if (args.testUser !== undefined) {
      this.testUserPassword = pulumi.secret(
        args.testUser.password?.reveal() ?? this.generatedPassword(name, args.testUser.generatedPasswordLength),
      );
      this.testUser = new auth0.User(
        `${name}-test-user`,
        {
          connectionName: this.connection.name,
          email: args.testUser.email,
          // Without a name, Pulumi's auto-naming would send the logical name with a random suffix.
          name: args.testUser.name,
          password: this.testUserPassword,
          // A test address receives no mail: mark it verified instead of sending a verification e-mail.
          emailVerified: true,
          verifyEmail: false,
        },
        { parent: this, dependsOn: [this.enabledClients] },
      );
    }

    this.registerOutputs({ connectionName: this.connectionName });
  }

  private generatedPassword(name: string, length: number): pulumi.Output<string> {
    // At least 32 characters (more where passwordOptions.minLength asks) of all four kinds satisfy every Auth0 policy up to "good", and "excellent"
    // but for its rule against three identical characters in a row, which a random string
    // breaks rarely (well under 1%); a refused password fails the update visibly, never silently.
    const password = new random.RandomPassword(
      `${name}-test-user-password`,
      { length, special: true, minLower: 1, minUpper: 1, minNumeric: 1, minSpecial: 1 },
      { parent: this },
    );
    return password.result;
  }
}
