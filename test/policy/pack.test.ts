import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import * as auth0 from "@pulumi/auth0";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { IMPORT_JOB_NAME } from "../../infra/config/spec";
import { AUTH0, IMPORT_JOB, isApim } from "../../policy/lib/resources";
import * as exported from "../../policy/rules";
import { rules } from "../../policy/rules";
import { listStacks, loadStackSpec } from "../../stacks/stack-config";
import { configFileProblems, POLICY_DIR, policyConfigFile } from "./support/config-files";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (entry === "node_modules") return [];
    return statSync(full).isDirectory() ? sources(full) : full.endsWith(".ts") ? [full] : [];
  });
}

describe("the pack", () => {
  test("has uniquely named rules, each exported as a constant and each in the pack", () => {
    const names = rules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    const constants = Object.entries(exported)
      .filter(([key]) => key !== "rules")
      .map(([, rule]) => rule);
    expect(new Set(constants)).toEqual(new Set(rules));
  });

  test("is built by policy/index.ts alone, as timesheets-guardrails", () => {
    const builders = sources(POLICY_DIR).filter((file) => readFileSync(file, "utf8").includes("new PolicyPack("));
    expect(builders).toEqual([path.join(POLICY_DIR, "index.ts")]);
    expect(readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8")).toContain('new PolicyPack("timesheets-guardrails"');
  });

  test("declares every package it imports, and imports nothing outside policy/", () => {
    const manifest = JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as {
      version?: string;
      dependencies?: Record<string, string>;
    };
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    const declared = Object.keys(manifest.dependencies ?? {});
    expect(declared).toEqual(expect.arrayContaining(["@pulumi/policy", "@pulumi/pulumi"]));
    for (const file of sources(POLICY_DIR)) {
      for (const [, specifier] of readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)) {
        if (specifier === undefined) continue;
        if (specifier.startsWith(".")) {
          expect(path.resolve(path.dirname(file), specifier).startsWith(POLICY_DIR + path.sep), `${file} imports ${specifier}`).toBe(true);
          continue;
        }
        const packageName = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? specifier);
        if (builtinModules.includes(packageName.replace(/^node:/, ""))) continue;
        expect(declared, `${file} imports ${specifier}`).toContain(packageName);
      }
    }
  });

  test("is a nodejs policy project", () => {
    const project = parse(readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime?: unknown; description?: unknown };
    expect(project.runtime).toBe("nodejs");
    expect(typeof project.description).toBe("string");
  });

  test("spells the provider type tokens as the provider SDKs do", () => {
    // `isInstance` compares a token with the class's own, the way the policy SDK's isType falls back to it.
    const is = (sdkClass: { isInstance(value: unknown): boolean }, token: string) => sdkClass.isInstance({ __pulumiType: token });
    expect(is(auth0.ResourceServer, AUTH0.resourceServer)).toBe(true);
    expect(is(auth0.ResourceServerScopes, AUTH0.resourceServerScopes)).toBe(true);
    expect(is(auth0.ResourceServerScope, AUTH0.resourceServerScope)).toBe(true);
    expect(is(auth0.Client, AUTH0.client)).toBe(true);
    expect(is(auth0.ClientGrant, AUTH0.clientGrant)).toBe(true);
    expect(is(auth0.ClientCredentials, AUTH0.clientCredentials)).toBe(true);
    expect(is(auth0.Connection, AUTH0.connection)).toBe(true);
    expect(is(auth0.User, AUTH0.user)).toBe(true);
    expect(is(auth0.Provider, AUTH0.provider)).toBe(true);
    expect(is(auth0.Client, AUTH0.clientGrant)).toBe(false);
    const apim = [
      [apimanagement.Api, "Api"],
      [apimanagement.ApiPolicy, "ApiPolicy"],
      [apimanagement.ApiOperation, "ApiOperation"],
      [apimanagement.ApiOperationPolicy, "ApiOperationPolicy"],
      [apimanagement.NamedValue, "NamedValue"],
    ] as const;
    for (const [sdkClass, kind] of apim) expect(is(sdkClass, `azure-native:apimanagement:${kind}`), kind).toBe(true);
    for (const [, kind] of apim) expect(isApim(`azure-native:apimanagement:${kind}`, kind), kind).toBe(true);
    expect(isApim("azure-native:apimanagement:ApiPolicy", "Api")).toBe(false);
  });

  test("knows the import job by the name the program gives it", () => {
    expect(IMPORT_JOB.clientName).toBe(IMPORT_JOB_NAME);
  });
});

describe.each(listStacks())("policy/config/%s.json", (stack) => {
  const file = policyConfigFile(stack);
  const spec = loadStackSpec(stack);
  const entry = (name: string): Record<string, unknown> => (file[name] ?? {}) as Record<string, unknown>;

  test("names only the pack's policies and their config keys, with valid values", () => {
    expect(configFileProblems(file, rules)).toEqual([]);
  });

  test("agrees with the stack's spec", () => {
    const withEnvironment = Object.keys(file).filter((name) => "environment" in entry(name));
    expect(withEnvironment.length).toBeGreaterThanOrEqual(5);
    for (const name of withEnvironment) expect(entry(name)["environment"], name).toBe(spec.environment);
    for (const name of Object.keys(file).filter((key) => "apiIdentifier" in entry(key)))
      expect(entry(name)["apiIdentifier"], name).toBe(spec.api.identifier);
    expect(entry("client-grants-least-privilege")["importJobScopes"]).toEqual(spec.importJob.grant.scopes);
    expect(entry("database-connection-hardening")["allowSignups"]).toBe(!spec.connection.disableSignup);
    expect(entry("resource-server-signing")["allowHs256"]).toBe(spec.api.signingAlg === "HS256");
    expect(entry("timesheets-api-tokens")["maxTokenLifetime"]).toBeGreaterThanOrEqual(spec.api.tokenLifetime);
  });

  test(stack === "dev" ? "lowers only the gateway rule to advisory" : "keeps every rule mandatory", () => {
    const lowered = Object.keys(file).filter((name) => entry(name)["enforcementLevel"] !== undefined);
    expect(lowered).toEqual(stack === "dev" ? ["apim-jwt-validation"] : []);
    if (stack === "dev") expect(entry("apim-jwt-validation")["enforcementLevel"]).toBe("advisory");
  });
});

test("the config checker finds misspelt policies and keys, and values outside a schema", () => {
  expect(
    configFileProblems({ "timesheets-api-token": {}, "resource-server-signing": { allowHS256: true, environment: "production" } }, rules),
  ).toEqual([
    "timesheets-api-token: no policy of that name",
    "resource-server-signing.allowHS256: not in the policy's configSchema",
    'resource-server-signing.environment: "production" is not one of ["local","dev","staging","prod"]',
  ]);
});
