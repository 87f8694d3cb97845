import { z } from "zod";
import { isLoopbackAddress } from "./loopback";
import { APIM_DISPLAY_NAME_MAX, APIM_PUBLISHER_MAX, APIM_SERVICE_URL_MAX, APIM_URL_TEMPLATE_MAX, displayName } from "./names";
import { booleanValue, expected, httpsUrl, integerValue, oneOf, text } from "./values";

export const APIM_SKUS = ["Consumption", "Developer", "Basic", "Standard", "Premium", "BasicV2", "StandardV2", "PremiumV2"] as const;
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Azure's rule for API Management service names. */
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/;
const RESOURCE_GROUP_NAME = /^[-\w.()]{0,89}[-\w()]$/;
const OPERATION_ID = /^[a-z][a-z0-9-]{0,79}$/;
/** A path from /, each `{parameter}` closed and named, no brace outside one (APIM refuses the rest). */
const URL_TEMPLATE = /^\/(?:[^\s{}]|\{[A-Za-z0-9_-]+\})*$/;
const API_PATH = /^[a-zA-Z0-9][a-zA-Z0-9-_/]{0,399}$/;

/**
 * Each gateway operation and the one permission its caller's token must carry.
 * The import job may only upload; everything else is for interactive clients.
 */
export const DEFAULT_OPERATIONS = [
  {
    id: "upload-timesheets",
    method: "POST",
    urlTemplate: "/timesheets/upload",
    displayName: "Upload a batch of timesheets",
    permission: "batch:upload",
  },
  { id: "list-timesheets", method: "GET", urlTemplate: "/timesheets", displayName: "List timesheets", permission: "read:timesheets" },
  { id: "get-timesheet", method: "GET", urlTemplate: "/timesheets/{id}", displayName: "Get a timesheet", permission: "read:timesheets" },
  {
    id: "create-timesheet",
    method: "POST",
    urlTemplate: "/timesheets",
    displayName: "Create a timesheet",
    permission: "create:timesheets",
  },
  {
    id: "delete-timesheet",
    method: "DELETE",
    urlTemplate: "/timesheets/{id}",
    displayName: "Delete a timesheet",
    permission: "delete:timesheets",
  },
  {
    id: "approve-timesheet",
    method: "POST",
    urlTemplate: "/timesheets/{id}/approve",
    displayName: "Approve a timesheet",
    permission: "approve:timesheets",
  },
] as const;

const operation = z.strictObject({
  id: text("an operation id of lower-case letters, digits and hyphens").regex(OPERATION_ID, {
    error: expected("an operation id of lower-case letters, digits and hyphens, starting with a letter"),
  }),
  method: oneOf(HTTP_METHODS),
  urlTemplate: text("a URL template starting with /, e.g. /timesheets/{id}")
    .max(APIM_URL_TEMPLATE_MAX, {
      error: () => `is longer than ${APIM_URL_TEMPLATE_MAX} characters, API Management's limit for a URL template`,
    })
    .regex(URL_TEMPLATE, {
      error: expected("a URL template starting with / whose parameters are each closed and named, e.g. /timesheets/{id}"),
    }),
  displayName: displayName("a display name", APIM_DISPLAY_NAME_MAX, "API Management (an operation's display name)"),
  permission: text("one of the API's permissions"),
});

/**
 * Azure's rule for an authorization server's id (its resource name, `authsid`): letters, digits
 * and hyphens, at most 80 (the Management API's `^[^*#&+:<>?]+$` pattern is wider; this narrower
 * form is ours, so that the id reads the same in the developer portal's redirect URI).
 */
const AUTHORIZATION_SERVER_ID = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,78}[a-zA-Z0-9])?$/;

/** What a person signed in through the developer portal may do by default: read, as the test user. */
export const DEFAULT_PORTAL_PERMISSIONS = ["read:timesheets"] as const;
export const DEFAULT_AUTHORIZATION_SERVER_ID = "auth0";

/**
 * `timesheets:apim.developerPortal`: people sign in to the API (first of all in the developer
 * portal's test console) through Auth0, registered in API Management as an OAuth 2.0
 * authorization server. Opt-in: absent, nothing of it is declared.
 */
export const developerPortalSchema = z.strictObject(
  {
    authorizationServerId: text("an authorization server id of letters, digits and hyphens, e.g. auth0")
      .regex(AUTHORIZATION_SERVER_ID, {
        error: expected("an authorization server id: 1 to 80 letters, digits and hyphens, starting and ending with a letter or digit"),
      })
      .default(DEFAULT_AUTHORIZATION_SERVER_ID),
    permissions: z
      .array(text("one of the API's permissions"), { error: expected("a list of the API's permissions") })
      .min(1, { error: () => "is empty; expected at least one of the API's permissions" })
      .default([...DEFAULT_PORTAL_PERMISSIONS]),
  },
  { error: expected("an object such as {authorizationServerId, permissions} ({} for the defaults)") },
);

export type DeveloperPortalConfig = z.infer<typeof developerPortalSchema>;

/** `timesheets:apim`: the API Management gateway in front of the Timesheets API. */
export const apimSchema = z.strictObject(
  {
    /** existing or create: Azure API Management; local: the local gateway of `npm run local` (environment local only, no Azure resource). */
    mode: oneOf(["existing", "create", "local"]).default("existing"),
    // Required for Azure's modes and refused for local: build.ts says which, naming the mode.
    resourceGroupName: text("an Azure resource group name")
      .regex(RESOURCE_GROUP_NAME, {
        error: expected("an Azure resource group name (letters, digits, _ - . ( ), at most 90 characters)"),
      })
      .optional(),
    serviceName: text("an API Management service name")
      .regex(SERVICE_NAME, {
        error: expected("an API Management service name: 1 to 50 letters, digits and hyphens, starting with a letter"),
      })
      .optional(),
    /** mode local: where the local gateway listens, 127.0.0.1:PORT. */
    address: text("the local gateway's address, 127.0.0.1:PORT")
      .refine(isLoopbackAddress, { error: expected("the local gateway's address on this machine, e.g. 127.0.0.1:7444") })
      .optional(),
    createResourceGroup: booleanValue.optional(),
    sku: oneOf(APIM_SKUS).optional(),
    capacity: integerValue(0, 12).optional(),
    publisherEmail: z
      .email({ error: expected("the publisher's e-mail address") })
      .max(APIM_PUBLISHER_MAX, { error: () => `is longer than ${APIM_PUBLISHER_MAX} characters, API Management's limit` })
      .optional(),
    publisherName: displayName("the publisher's name", APIM_PUBLISHER_MAX, "API Management (the publisher's name)").optional(),
    location: text("an Azure region, e.g. westeurope").optional(),
    apiPath: text("the API's path on the gateway, e.g. api")
      .regex(API_PATH, {
        error: expected("the API's path on the gateway, without leading slash, e.g. api"),
      })
      .default("api"),
    backendUrl: httpsUrl("the backend's https:// URL (RFC 3986, with a host, no fragment)", APIM_SERVICE_URL_MAX).optional(),
    subscriptionRequired: booleanValue.default(false),
    clockSkewSeconds: integerValue(0, 300).default(30),
    operations: z
      .array(operation, { error: expected("a list of operations") })
      .min(1, { error: () => "is empty; expected at least one operation" })
      .optional(),
    developerPortal: developerPortalSchema.optional(),
  },
  {
    error: expected(
      "an object such as {mode, resourceGroupName, serviceName, backendUrl} (or {mode: local, address} in environment local)",
    ),
  },
);

export type ApimConfig = z.infer<typeof apimSchema>;
