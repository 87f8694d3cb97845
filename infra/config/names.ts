import { z } from "zod";
import { expected } from "./values";

/**
 * The rules Auth0 and Azure hold names to, checked before any resource so that none of them is
 * refused mid-deploy. Each rule gives its source. The local Auth0 (local/auth0/resources) models
 * the same Management API rules; a test holds the two to the same answers.
 *
 * Auth0, Management API v2 request schemas (as the Deploy CLI and terraform-provider-auth0 meet them):
 * - resource server `name`: 1-200 characters, no `<` or `>` (POST/PATCH /api/v2/resource-servers);
 * - scope `value`: 1-280 characters, `description`: at most 500 (resource server `scopes`);
 * - connection `name`: 1-128 letters, digits and hyphens, starting and ending with a letter or digit (POST /api/v2/connections).
 * Azure API Management, REST API spec (Microsoft.ApiManagement apimanagement.json, ApiContract / OperationContract):
 * - API `displayName`: 1-300 characters; operation `displayName`: 1-300; `urlTemplate`: 1-1000;
 *   API `serviceUrl` (the backend): at most 2000; `publisherName` and `publisherEmail`: at most 100.
 * Display names also refuse control and format characters (a newline, a zero-width space): they
 * would be invisible in every portal while making two names that look the same differ.
 */
export const AUTH0_API_NAME_MAX = 200;
export const AUTH0_SCOPE_VALUE_MAX = 280;
export const AUTH0_SCOPE_DESCRIPTION_MAX = 500;
export const APIM_DISPLAY_NAME_MAX = 300;
export const APIM_URL_TEMPLATE_MAX = 1000;
export const APIM_SERVICE_URL_MAX = 2000;
export const APIM_PUBLISHER_MAX = 100;

const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

/** A display name: trimmed, 1 to `max` characters, no control or format character, and `extra` rules. */
export function displayName(what: string, max: number, source: string, extra: { pattern?: RegExp; refused?: string } = {}) {
  return z
    .string({ error: expected(what) })
    .trim()
    .min(1, { error: () => `is empty; expected ${what}` })
    .max(max, { error: (issue) => `is ${String((issue.input as string).length)} characters; ${source} takes at most ${max}` })
    .refine((value) => !CONTROL_OR_FORMAT.test(value), {
      error: () => `contains a control or invisible character (a newline, a zero-width space...); expected ${what} of visible characters`,
    })
    .refine((value) => extra.pattern === undefined || extra.pattern.test(value), {
      error: () => `contains ${extra.refused ?? "a character that is refused"}, which ${source} refuses; expected ${what} without it`,
    });
}

/** The API's name: Auth0's resource server name, and the APIM API's display name where there is a gateway. */
export const apiName = displayName("a display name", AUTH0_API_NAME_MAX, "Auth0 (an API's name)", {
  pattern: /^[^<>]+$/,
  refused: "< or >",
});
