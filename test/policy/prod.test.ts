import { describe, expect, test } from "vitest";
import { noUsersInProd, protectedInProd } from "../../policy/rules";
import { messages, validateResource } from "./support/policy-args";
import { T, connection, resourceServer } from "./support/fixtures";

const user = (stack: string) => ({
  type: T.user,
  name: "user-store-test-user",
  stack,
  props: { email: "test@exampleco.com", connectionName: "timesheets-users" },
});
const env = (name: string, environment: string) => ({ [name]: { environment } });

describe("no-users-in-prod", () => {
  test("refuses a user in prod", async () => {
    expect(messages(await validateResource(noUsersInProd, user("prod"), env("no-users-in-prod", "prod")))).toEqual([
      "auth0.User resources are refused in prod: a declared user's password passes through the program and its state",
    ]);
  });

  test("accepts a test user in dev and staging", async () => {
    for (const stack of ["dev", "staging"]) {
      expect(await validateResource(noUsersInProd, user(stack), env("no-users-in-prod", stack))).not.toHaveBeenCalled();
    }
  });
});

describe("protected-in-prod", () => {
  const config = env("protected-in-prod", "prod");

  test("accepts protected resource servers and database connections in prod", async () => {
    expect(await validateResource(protectedInProd, { ...resourceServer(), stack: "prod", protect: true }, config)).not.toHaveBeenCalled();
    expect(await validateResource(protectedInProd, { ...connection(), stack: "prod", protect: true }, config)).not.toHaveBeenCalled();
  });

  test("refuses an unprotected resource server or database connection in prod", async () => {
    expect(messages(await validateResource(protectedInProd, { ...resourceServer(), stack: "prod" }, config))).toEqual([
      "in prod this resource must be protected (protect: true): a new one gets a new identity: every client grant and token issued for it stops working",
    ]);
    expect(messages(await validateResource(protectedInProd, { ...connection(), stack: "prod" }, config))).toEqual([
      "in prod this resource must be protected (protect: true): deleting it deletes every user stored in it",
    ]);
  });

  test("asks nothing of dev, nor of other resources in prod", async () => {
    expect(await validateResource(protectedInProd, resourceServer(), env("protected-in-prod", "dev"))).not.toHaveBeenCalled();
    expect(await validateResource(protectedInProd, { type: T.client, name: "c", stack: "prod" }, config)).not.toHaveBeenCalled();
  });
});
