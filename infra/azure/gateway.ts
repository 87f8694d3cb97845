import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type { TenantSpec } from "../config/spec";
import {
  apiArgs,
  apiPolicyArgs,
  authorizationServerArgs,
  gatewayUrl,
  operationArgs,
  resourceGroupArgs,
  serviceArgs,
  signingKeyNamedValueArgs,
  signingKeyValue,
} from "./gateway-args";

export interface GatewayArgs {
  /** The stack's spec; it must have a gateway. */
  readonly spec: TenantSpec;
  /**
   * The Auth0 resource server's signing secret, used only when the API signs with HS256.
   * Auth0 generates it; the gateway needs it to verify the tokens.
   */
  readonly signingSecret?: pulumi.Output<string | undefined>;
  /** The developer portal's Auth0 application, where the spec has a developer portal. */
  readonly portalClient?: { readonly clientId: pulumi.Output<string>; readonly clientSecret: pulumi.Output<string> };
}

/**
 * Azure API Management in front of the Timesheets API: the service (an existing one, or a
 * new one where the spec says so), the API and its operations, and the one API-level policy
 * that refuses any request without a valid Auth0 access token carrying the operation's
 * permission, and any operation the spec does not declare.
 *
 * Operations have no policy of their own: the API's policy decides for all of them, so an
 * operation that exists without one (added outside the stack, or between two steps of a
 * deployment) is refused, never let through. Former per-operation policies are deleted by
 * Pulumi after every creation and update, that is after the API policy already denies by
 * default; until then each still runs the API's check through `<base/>`.
 */
export class Gateway extends pulumi.ComponentResource {
  readonly service: apimanagement.ApiManagementService | undefined;
  readonly api: apimanagement.Api;
  readonly apiPolicy: apimanagement.ApiPolicy;
  readonly operations: apimanagement.ApiOperation[];
  readonly signingKey: apimanagement.NamedValue | undefined;
  readonly authorizationServer: apimanagement.AuthorizationServer | undefined;
  /** The API's public URL on the gateway. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:azure:Gateway", name, {}, opts);
    const { spec } = args;
    const gateway = spec.gateway;
    if (gateway === undefined) throw new Error(`stack "${spec.stack}" has no gateway: timesheets:apim is not set`);

    // Children name the service by the spec's plain names; where this stack creates the
    // service, an explicit dependency orders them after it.
    const serviceDependency: pulumi.Resource[] = [];
    if (gateway.service.mode === "create") {
      const created = gateway.service;
      const resourceGroup = created.createResourceGroup
        ? new resources.ResourceGroup(`${name}-resource-group`, resourceGroupArgs(created), { parent: this, protect: spec.protect })
        : undefined;
      // Creating a service outside the Consumption tier takes 30 to 60 minutes: protect it where the stack is protected.
      this.service = new apimanagement.ApiManagementService(`${name}-service`, serviceArgs(created), {
        parent: this,
        protect: spec.protect,
        dependsOn: resourceGroup === undefined ? [] : [resourceGroup],
      });
      serviceDependency.push(this.service);
    }

    const portal = gateway.developerPortal;
    if (portal !== undefined) {
      if (args.portalClient === undefined)
        throw new Error("the spec has a developer portal but the gateway was given no portal application");
      this.authorizationServer = new apimanagement.AuthorizationServer(
        `${name}-authorization-server`,
        {
          ...authorizationServerArgs(gateway, portal),
          clientId: args.portalClient.clientId,
          // The provider may not mark it secret under every path; wrap it so no path prints it.
          clientSecret: pulumi.secret(args.portalClient.clientSecret),
        },
        { parent: this, dependsOn: serviceDependency, additionalSecretOutputs: ["clientSecret"] },
      );
    }
    // API Management refuses an API whose authentication settings name a server it does not hold yet.
    const apiDependency = this.authorizationServer === undefined ? serviceDependency : [...serviceDependency, this.authorizationServer];
    this.api = new apimanagement.Api(`${name}-api`, apiArgs(gateway), { parent: this, dependsOn: apiDependency });

    if (spec.api.signingAlg === "HS256") {
      if (args.signingSecret === undefined) throw new Error("the API signs with HS256 but the gateway was given no signing secret");
      const value = args.signingSecret.apply((secret) => {
        if (secret === undefined || secret === "") throw new Error("Auth0 returned no signing secret for the HS256 API");
        return signingKeyValue(secret);
      });
      // The provider may not mark this output secret; wrap it so no path prints the key.
      this.signingKey = new apimanagement.NamedValue(
        `${name}-signing-key`,
        { ...signingKeyNamedValueArgs(gateway), value: pulumi.secret(value) },
        { parent: this, dependsOn: serviceDependency },
      );
    }
    // APIM refuses a policy that names a named value it does not hold yet.
    const policyDependency: pulumi.Resource[] = this.signingKey === undefined ? [] : [this.signingKey];

    this.apiPolicy = new apimanagement.ApiPolicy(`${name}-api-policy`, apiPolicyArgs(spec, gateway), {
      parent: this,
      dependsOn: [this.api, ...policyDependency],
    });

    // After the API policy, which already names it: from its first moment, an operation
    // answers 401 without a valid token and 403 without its permission.
    this.operations = gateway.operations.map(
      (operation) =>
        new apimanagement.ApiOperation(`${name}-operation-${operation.id}`, operationArgs(gateway, operation), {
          parent: this,
          dependsOn: [this.api, this.apiPolicy],
        }),
    );

    this.url = pulumi.output(gatewayUrl(gateway));
    this.registerOutputs({ url: this.url });
  }
}
