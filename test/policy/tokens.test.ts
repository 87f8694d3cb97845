import { describe, expect, test } from "vitest";
import { timesheetsApiTokens } from "../../policy/rules";
import { messages, validateResource } from "./support/policy-args";
import { API, resourceServer } from "./support/fixtures";

const config = (maxTokenLifetime?: number) => ({
  "timesheets-api-tokens": { apiIdentifier: API, ...(maxTokenLifetime === undefined ? {} : { maxTokenLifetime }) },
});

describe("timesheets-api-tokens", () => {
  test("accepts the Timesheets API without offline access and within the maximum", async () => {
    expect(await validateResource(timesheetsApiTokens, resourceServer({ tokenLifetime: 3600 }), config(3600))).not.toHaveBeenCalled();
  });

  test("refuses offline access", async () => {
    const report = await validateResource(timesheetsApiTokens, resourceServer({ allowOfflineAccess: true }), config());
    expect(messages(report)).toEqual(["allowOfflineAccess is true; the Timesheets API issues no refresh tokens: set it to false"]);
  });

  test("refuses a lifetime over the configured maximum, and over the default maximum of a day (the program's default lifetime)", async () => {
    expect(messages(await validateResource(timesheetsApiTokens, resourceServer({ tokenLifetime: 7201 }), config(7200)))).toEqual([
      "tokenLifetime is 7201 seconds; this stack allows at most 7200",
    ]);
    expect(messages(await validateResource(timesheetsApiTokens, resourceServer({ tokenLifetime: 86_401 }), config()))).toEqual([
      "tokenLifetime is 86401 seconds; this stack allows at most 86400",
    ]);
    expect(await validateResource(timesheetsApiTokens, resourceServer({ tokenLifetime: 86_400 }), config())).not.toHaveBeenCalled();
  });

  test("holds an unset lifetime to Auth0's default of a day", async () => {
    const { tokenLifetime: _, ...unset } = resourceServer().props ?? {};
    const report = await validateResource(timesheetsApiTokens, { ...resourceServer(), props: unset }, config(3600));
    expect(messages(report)).toEqual([
      "tokenLifetime is 86400 seconds (Auth0's default, as it is not set); this stack allows at most 3600",
    ]);
  });

  test("holds a declared browser-flow lifetime to the maximum too", async () => {
    const report = await validateResource(timesheetsApiTokens, resourceServer({ tokenLifetimeForWeb: 7200 }), config(3600));
    expect(messages(report)).toEqual(["tokenLifetimeForWeb is 7200 seconds; this stack allows at most 3600"]);
  });

  test("judges only the Timesheets API where the config names it, and every resource server where it does not", async () => {
    const other = resourceServer({ allowOfflineAccess: true, tokenLifetime: 86_401 }, "https://reports.exampleco.com/api");
    expect(await validateResource(timesheetsApiTokens, other, config())).not.toHaveBeenCalled();
    expect(messages(await validateResource(timesheetsApiTokens, other, {}))).toHaveLength(2);
  });
});
