import { BlockList, isIP } from "node:net";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { texts, text, type Props } from "./props";

/**
 * Policy config. The engine hands each policy its own entry of the file passed with
 * `--policy-pack-config` (policy/config/<stack>.json), with the schema's defaults filled
 * in and the values validated against the schema; a policy reads it with `getConfig()`.
 */
export type ConfigProperty = PolicyConfigSchema["properties"][string];

/*
 * The pack's copies of the program's rules (infra/config). The pack runs on its own, without
 * the program, so it keeps them here; test/policy/twins.test.ts pins each copy to its twin.
 */

/** Least strict first (environmentFor ranks by this order); local is `npm run local`'s stack on this machine. */
export const ENVIRONMENTS = ["local", "dev", "staging", "prod"] as const;

/** The program's decision "is this machine" (infra/config/loopback.ts isThisMachine): only environment local may name such a tenant. */
const THIS_MACHINE = new BlockList();
THIS_MACHINE.addSubnet("127.0.0.0", 8, "ipv4");
THIS_MACHINE.addAddress("0.0.0.0", "ipv4");
THIS_MACHINE.addAddress("::1", "ipv6");
THIS_MACHINE.addAddress("::", "ipv6");

/** Whether a host, `host:port` or URL names this machine, decided on the host as the WHATWG URL parser reads it; `*.localhost` is loopback (RFC 6761). */
export function isThisMachine(value: string): boolean {
  const trimmed = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${isIP(trimmed) === 6 ? `[${trimmed}]` : trimmed}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname;
  } catch {
    return false;
  }
  const name = host.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  const family = isIP(name);
  return family !== 0 && THIS_MACHINE.check(name, family === 4 ? "ipv4" : "ipv6");
}

/** The program's rule (infra/config/urls.ts isManagementApiAudience): an identifier that is the tenant's own Management API audience. */
export function isManagementApiAudience(identifier: string, domain: string): boolean {
  try {
    return new URL(identifier).href === new URL(`https://${domain}/api/v2/`).href;
  } catch {
    return false;
  }
}

/** Auth0's password policies, weakest first, and the weakest prod accepts. */
export const PASSWORD_POLICIES: readonly string[] = ["none", "low", "fair", "good", "excellent"];
export const PROD_MINIMUM_PASSWORD_POLICY = "good";

/** The import job uploads batches and nothing else. */
export const DEFAULT_IMPORT_JOB_SCOPES: readonly string[] = ["batch:upload"];

/**
 * The longest access-token lifetime allowed when a stack's policy config sets none: the
 * program's own default, so that a stack that sets neither passes its preview.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME = 86_400;

/** The issuer Auth0 writes into a tenant's tokens: its domain with a trailing slash. */
export function issuerFor(domain: string): string {
  return `https://${domain}/`;
}
export type Environment = (typeof ENVIRONMENTS)[number];

function isEnvironment(value: string | undefined): value is Environment {
  return (ENVIRONMENTS as readonly (string | undefined)[]).includes(value);
}

/** No default on purpose: a missing value must stay distinguishable from an explicit one (see environmentFor). */
export const environmentProperty: ConfigProperty = {
  type: "string",
  enum: [...ENVIRONMENTS],
  description:
    "The stack's environment. prod is held to the strictest rules; when unset, the stack's name decides if it is an environment's name, else prod.",
};

export const apiIdentifierProperty: ConfigProperty = {
  type: "string",
  minLength: 1,
  description: "The Timesheets API's identifier (its audience), as the stack declares it.",
};

/** The stack's name, from a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOf(urn: string): string | undefined {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

export function configuredEnvironment(config: Props): Environment | undefined {
  const value = text(config, "environment");
  return isEnvironment(value) ? value : undefined;
}

/**
 * The environment whose rules apply: the stricter of the configured one and the one the
 * stack is named after, prod when neither is known. A policy config meant for dev can
 * therefore never loosen the rules of a stack named prod; the mismatch itself is
 * reported by the policy-config-matches-stack rule.
 */
export function environmentFor(config: Props, urn: string): Environment {
  const configured = configuredEnvironment(config);
  const stack = stackOf(urn);
  const named = isEnvironment(stack) ? stack : undefined;
  if (configured === undefined && named === undefined) return "prod";
  const rank = (environment: Environment | undefined) => (environment === undefined ? -1 : ENVIRONMENTS.indexOf(environment));
  return (rank(configured) >= rank(named) ? configured : named) as Environment;
}

export function configuredApiIdentifier(config: Props): string | undefined {
  const value = text(config, "apiIdentifier");
  return value === undefined || value === "" ? undefined : value;
}

export function configuredTexts(config: Props, key: string, fallback: readonly string[]): string[] {
  return texts(config, key) ?? [...fallback];
}
