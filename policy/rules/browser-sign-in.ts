import type { ResourceValidationPolicy } from "@pulumi/policy";
import { text, texts, type Props } from "../lib/props";
import { AUTH0, isApim, list } from "../lib/resources";

/** Grants that send a person's browser back to the application: each needs callbacks, and each is held to them. */
const BROWSER_GRANTS = ["authorization_code", "implicit"] as const;

/** What makes a callback unsafe to send a code to: not https, a wildcard, a fragment. */
function callbackProblem(callback: string): string | undefined {
  if (callback.includes("*")) return "has a wildcard; a callback is one exact URL";
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:") return "is not https";
  if (url.hash !== "" || callback.includes("#")) return "has a fragment";
  return undefined;
}

/**
 * People sign in through a browser only with the authorization code grant, and the code goes
 * only to exact https callbacks: no implicit grant (tokens in the browser's address bar), no
 * wildcard, no origins (the code is exchanged by the server, never by script in a page). API
 * Management's authorization server asks Auth0 for the API's audience with the code grant only,
 * sends the token in the Authorization header, and holds no resource owner's password.
 */
export const browserSignIn: ResourceValidationPolicy = {
  name: "browser-sign-in",
  description:
    "Clients with a browser grant use authorization_code only (never implicit), with exact https callbacks (no wildcard, no fragment) and no web or allowed origins; an API Management authorization server uses the authorizationCode grant only, https endpoints, the API's audience on the authorization endpoint, the token in the Authorization header, and no resource owner credentials.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const props: Props = args.props;
    if (args.type === AUTH0.client) {
      const grantTypes = texts(props, "grantTypes") ?? [];
      if (!grantTypes.some((grant) => (BROWSER_GRANTS as readonly string[]).includes(grant))) return;
      if (grantTypes.includes("implicit")) {
        reportViolation("grantTypes includes implicit, which hands tokens to the browser's address; use authorization_code");
      }
      const callbacks = texts(props, "callbacks") ?? [];
      if (callbacks.length === 0) reportViolation("a client with a browser grant lists no callbacks; the sign-in has nowhere to return");
      for (const callback of callbacks) {
        const problem = callbackProblem(callback);
        if (problem !== undefined) reportViolation(`callback ${callback} ${problem}`);
      }
      for (const setting of ["webOrigins", "allowedOrigins"] as const) {
        const values = texts(props, setting) ?? [];
        if (values.length > 0) {
          reportViolation(
            `${setting} lists ${list(values)}; the code is exchanged by the application's server, no page script needs an origin`,
          );
        }
      }
      return;
    }
    if (!isApim(args.type, "AuthorizationServer")) return;
    const grantTypes = texts(props, "grantTypes") ?? [];
    if (grantTypes.length !== 1 || grantTypes[0] !== "authorizationCode") {
      reportViolation(`grantTypes is ${list(grantTypes)}; people sign in with the authorization code grant only: [authorizationCode]`);
    }
    for (const key of ["authorizationEndpoint", "tokenEndpoint"] as const) {
      const endpoint = text(props, key);
      if (endpoint !== undefined && !endpoint.startsWith("https://")) reportViolation(`${key} ${endpoint} is not https`);
    }
    const authorize = text(props, "authorizationEndpoint");
    if (authorize !== undefined && !URL.canParse(authorize)) reportViolation(`authorizationEndpoint ${authorize} is not a URL`);
    else if (authorize !== undefined && !new URL(authorize).searchParams.has("audience")) {
      reportViolation("authorizationEndpoint names no audience; Auth0 then issues a token that is not for the API");
    }
    const sending = texts(props, "bearerTokenSendingMethods") ?? [];
    if (sending.length !== 1 || sending[0] !== "authorizationHeader") {
      reportViolation(`bearerTokenSendingMethods is ${list(sending)}; expected [authorizationHeader] (a token in a query ends up in logs)`);
    }
    for (const key of ["resourceOwnerUsername", "resourceOwnerPassword"] as const) {
      if (key in props) reportViolation(`${key} is set; the authorization server holds no person's credentials`);
    }
  },
};
