import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "node:tls";
import { importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuth0StandIn as startProductStandIn, type Auth0StandIn } from "../../../local/auth0/index.js";
import { verifyPassword } from "../../../local/auth0/passwords.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { startHttpsAuth0StandIn } from "../../../local/auth0/https.js";
import { api, requestToken } from "./helpers.js";

// The local Auth0 as a long-running service: what it keeps stays bounded, a replayed client
// assertion stays refused across a restart, a client that half-closes still gets its answer,
// and passwords are kept with a slow derivation.

const DOMAIN = "bounds.eu.auth0.com";
let auth0: Auth0StandIn;
let token: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn({ domain: DOMAIN });
  token = await auth0.managementToken();
});
afterAll(() => auth0.close());

describe("the request log", () => {
  it("keeps only as many of the latest requests as asked", async () => {
    const ring = await startAuth0StandIn({ requestLog: 10 });
    try {
      const ringToken = await ring.managementToken();
      for (let index = 0; index < 30; index += 1) await api(ring, ringToken, "GET", `/clients?q=${index}`);
      expect(ring.requests).toHaveLength(10);
      expect(ring.requests.map((request) => request.query.q)).toEqual(Array.from({ length: 10 }, (_, index) => String(20 + index)));
    } finally {
      await ring.close();
    }
  });

  it("is off in local mode (a tenant file): a server that runs for days keeps none of its traffic", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "bounds-"));
    const https = await startHttpsAuth0StandIn(folder, { tenantFile: path.join(folder, "tenant.json") });
    try {
      for (let index = 0; index < 20; index += 1) await https.standIn.fetch(`https://${https.domain}/api/v2/clients?q=${"x".repeat(8192)}`);
      expect(https.standIn.requests).toHaveLength(0);
    } finally {
      await https.close();
    }
  });
});

describe("private_key_jwt", () => {
  it("refuses an assertion used before a restart, and accepts a new one after it", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const first = await startAuth0StandIn({ domain: DOMAIN });
    const client = await first.createClient({
      name: "Key-authenticated",
      app_type: "non_interactive",
      client_authentication_methods: {
        private_key_jwt: {
          credentials: [{ credential_type: "public_key", pem: publicKey.export({ type: "spki", format: "pem" }).toString() }],
        },
      },
    });
    await first.createClientGrant({ client_id: client.client_id, audience: first.managementAudience, scope: ["read:clients"] });
    const key = await importPKCS8(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), "RS256");
    const assertion = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer(client.client_id)
        .setSubject(client.client_id)
        .setAudience(`https://${DOMAIN}/`)
        .setExpirationTime("3m")
        .setJti(randomUUID())
        .sign(key);
    const parameters = async () => ({
      grant_type: "client_credentials",
      audience: first.managementAudience,
      client_assertion: await assertion(),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    });
    const used = await parameters();
    expect((await requestToken(first, used)).status).toBe(200);
    const saved = await first.saved();
    await first.close();

    const second = await startAuth0StandIn({ domain: DOMAIN, restore: saved });
    try {
      expect((await requestToken(second, used)).body).toMatchObject({ error: "invalid_client" });
      expect((await requestToken(second, await parameters())).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it("forgets assertion ids once their assertions have expired", () => {
    const tenant = auth0.tenant;
    tenant.usedAssertions.clear();
    expect(tenant.useAssertionId("a", 100, 50)).toBe(true);
    expect(tenant.useAssertionId("a", 100, 60)).toBe(false);
    expect(tenant.useAssertionId("b", 300, 200)).toBe(true);
    expect([...tenant.usedAssertions.keys()]).toEqual(["b"]);
  });
});

describe("the TLS front", () => {
  it("answers a client that half-closes once its request is sent, every time", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "bounds-"));
    const https = await startHttpsAuth0StandIn(folder);
    const ca = readFileSync(https.caFile, "utf8");
    const port = Number(https.domain.split(":")[1]);
    const halfClosed = () =>
      new Promise<string>((resolve) => {
        let received = "";
        const socket = connect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => {
          socket.write(`GET /.well-known/openid-configuration HTTP/1.1\r\nhost: ${https.domain}\r\nconnection: close\r\n\r\n`);
          socket.end();
        });
        socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
        socket.on("close", () => resolve(received));
        socket.on("error", () => resolve(received));
      });
    try {
      const answers: string[] = [];
      for (let attempt = 0; attempt < 10; attempt += 1) answers.push((await halfClosed()).split("\r\n")[0] ?? "");
      expect(answers).toEqual(Array.from({ length: 10 }, () => "HTTP/1.1 200 OK"));
    } finally {
      await https.close();
    }
  });
});

describe("the TLS front, closing", () => {
  it("closes with clients that gave up during the handshake (an authority they do not trust) still connected", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "bounds-"));
    const https = await startHttpsAuth0StandIn(folder);
    const port = Number(https.domain.split(":")[1]);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await new Promise<void>((resolve) => {
        // No `ca`: the client refuses the local authority and ends the handshake.
        const socket = connect({ host: "127.0.0.1", port, servername: "localhost" });
        socket.on("error", () => resolve());
        socket.on("close", () => resolve());
      });
    }
    await https.close();
  });
});

describe("passwords", () => {
  const connection = "Username-Password-Authentication";

  async function signInClient(): Promise<{ clientId: string; clientSecret: string }> {
    const client = await auth0.createClient({
      name: "Sign-in",
      app_type: "regular_web",
      grant_types: ["http://auth0.com/oauth/grant-type/password-realm"],
    });
    const database = auth0.tenant.connectionByName(connection);
    database?.enabled_clients.push(client.client_id);
    return { clientId: client.client_id, clientSecret: String(client.client_secret) };
  }

  const signIn = (client: { clientId: string; clientSecret: string }, username: string, password: string) =>
    requestToken(auth0, {
      grant_type: "http://auth0.com/oauth/grant-type/password-realm",
      client_id: client.clientId,
      client_secret: client.clientSecret,
      username,
      password,
      realm: connection,
      audience: auth0.managementAudience,
    });

  it("are kept as scrypt hashes at Node's default cost, never as given (the product's stand-in, as npm run local starts it)", async () => {
    const product = await startProductStandIn({ domain: "scrypt.eu.auth0.com" });
    try {
      const management = await product.managementToken();
      const created = await api<{ user_id: string }>(product, management, "POST", "/users", {
        connection,
        email: "scrypt@example.com",
        password: "correct horse battery staple",
      });
      const stored = product.tenant.passwords.get(created.body.user_id) ?? "";
      expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      expect(stored).not.toContain("correct horse");
      // Each hash names its cost: a tenant saved at one cost signs its users in under another.
      const restored = await startAuth0StandIn({ domain: "scrypt.eu.auth0.com", restore: await product.saved() });
      try {
        expect(await verifyPassword(restored.tenant, created.body.user_id, "correct horse battery staple")).toBe(true);
        expect(await verifyPassword(restored.tenant, created.body.user_id, "correct horse battery stapler")).toBe(false);
      } finally {
        await restored.close();
      }
    } finally {
      await product.close();
    }
  });

  it("an older SHA-256 hash still signs its user in, and is replaced by an scrypt one then; a wrong password changes nothing", async () => {
    const client = await signInClient();
    await auth0.createClientGrant({ client_id: client.clientId, audience: auth0.managementAudience, scope: [], subject_type: "user" });
    const created = await api<{ user_id: string }>(auth0, token, "POST", "/users", {
      connection,
      email: "legacy@example.com",
      password: "placeholder-password",
    });
    const legacy = `0011aabb:${createHash("sha256").update("0011aabbold password").digest("hex")}`;
    auth0.tenant.passwords.set(created.body.user_id, legacy);
    expect((await signIn(client, "legacy@example.com", "not it")).status).toBe(403);
    expect(auth0.tenant.passwords.get(created.body.user_id)).toBe(legacy);
    expect((await signIn(client, "legacy@example.com", "old password")).status).toBe(200);
    expect(auth0.tenant.passwords.get(created.body.user_id)).toMatch(/^scrypt\$/);
    expect((await signIn(client, "legacy@example.com", "old password")).status).toBe(200);
  });
});
