import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { z } from "zod";

// The whole local tenant file, as one schema: every part the local Auth0 reads back at start
// (documents, key material, secrets) is checked here, so a damaged file is refused in one line
// before anything is started, rather than failing halfway through a restore. Documents are
// loose objects (Auth0's properties the local Auth0 stores as given), but every property the
// restore or a handler relies on is required with its type.

const parses = (parse: (text: string) => unknown) => (text: string) => {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
};

const privateKeyPem = z.string().refine(parses(createPrivateKey), "is not a private key (PEM)");
const publicKeyPem = z.string().refine(parses(createPublicKey), "is not a public key (PEM)");
const certificateDer = z.string().refine(
  parses((text) => new X509Certificate(Buffer.from(text, "base64"))),
  "is not a certificate (DER, base64)",
);
const signingKey = z.looseObject({ alg: z.enum(["RS256", "PS256"]), privateKey: privateKeyPem, certificate: certificateDer });
const configurationKey = z.string().refine((text) => Buffer.from(text, "base64").length === 32, "is not a 32-byte key (base64)");

const json = z.json();
const document = <T extends z.ZodRawShape>(shape: T) => z.object(shape).catchall(json);
const pair = <A extends z.ZodType, B extends z.ZodType>(first: A, second: B) => z.tuple([first, second]);
const permissionRef = z.looseObject({ resource_server_identifier: z.string(), permission_name: z.string() });

export const savedTenantSchema = z.strictObject({
  format: z.literal(1),
  domain: z.string().min(1),
  configurationKey,
  keys: z.looseObject({ rs256: z.array(signingKey).min(1), clientCertificate: signingKey, ps256: signingKey.optional() }),
  tenant: z.looseObject({
    resourceServers: z.array(
      document({
        id: z.string(),
        identifier: z.string(),
        signing_alg: z.string(),
        token_lifetime: z.number(),
        scopes: z.array(json).optional(),
      }),
    ),
    clients: z.array(document({ client_id: z.string(), name: z.string(), grant_types: z.array(json).optional() })),
    credentials: z.array(
      z.looseObject({
        clientId: z.string(),
        document: document({ id: z.string(), credential_type: z.string() }),
        publicKey: publicKeyPem.optional(),
      }),
    ),
    clientGrants: z.array(document({ id: z.string(), client_id: z.string(), audience: z.string(), scope: z.array(z.string()).optional() })),
    connections: z.array(
      document({
        id: z.string(),
        name: z.string(),
        strategy: z.string(),
        options: z.record(z.string(), json),
        enabled_clients: z.array(z.string()),
      }),
    ),
    users: z.array(document({ user_id: z.string(), email: z.string().optional(), identities: z.array(z.record(z.string(), json)) })),
    passwords: z.array(pair(z.string(), z.string())),
    roles: z
      .looseObject({
        roles: z.array(document({ id: z.string(), name: z.string() })),
        rolePermissions: z.array(pair(z.string(), z.array(permissionRef))),
        userRoles: z.array(pair(z.string(), z.array(z.string()))),
        userPermissions: z.array(pair(z.string(), z.array(permissionRef))),
      })
      .optional(),
    usedAssertions: z.array(pair(z.string(), z.number())).optional(),
  }),
});

/** The first thing wrong with a tenant file, as `where: what` (e.g. `tenant.clients.0: expected object, received null`). */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "not a tenant";
  const where = issue.path.map(String).join(".");
  return where === "" ? issue.message : `${where}: ${issue.message}`;
}
