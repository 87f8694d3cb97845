import { webcrypto } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { connect, type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { createServer, type TLSSocket } from "node:tls";
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { startAuth0StandIn, type Auth0StandIn } from "./index";

// The Auth0 stand-in as a real HTTPS server, for programs that cannot be handed a `fetch`: the
// Terraform provider inside the Pulumi auth0 plugin, the audit run as its own process. A TLS
// listener on 127.0.0.1 terminates TLS with a certificate made for this run and pipes each
// connection, byte for byte, to the stand-in's own plain-HTTP listener, so every request meets
// the same handler as in-process and the stand-in itself stays as it is. The domain is
// `127.0.0.1:PORT`: Auth0's clients build `https://DOMAIN/...`, and a domain with a port is
// still a host they can reach.

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 3600 * 1000;

export interface RunCertificate {
  /** PEM of the certificate authority made for the run: what SSL_CERT_FILE / NODE_EXTRA_CA_CERTS name. */
  caPem: string;
  /** PEM chain the server presents (its own certificate, then the authority's). */
  chainPem: string;
  /** PEM PKCS#8 private key of the server certificate. */
  keyPem: string;
}

/** A certificate authority and a server certificate for `127.0.0.1` (IP and DNS name), valid for a day. */
export async function runCertificate(): Promise<RunCertificate> {
  // x509 types its provider as the DOM Crypto, which Node's webcrypto implements.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);
  const notBefore = new Date(Date.now() - 3600 * 1000);
  const notAfter = new Date(Date.now() + DAY_MS);
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Timesheets engine test authority",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=127.0.0.1",
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "dns", value: "localhost" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return {
    caPem: ca.toString("pem"),
    chainPem: `${server.toString("pem")}\n${ca.toString("pem")}\n`,
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}

export interface HttpsAuth0StandIn {
  /** The stand-in behind the TLS listener, answering for `domain`. */
  standIn: Auth0StandIn;
  /** `127.0.0.1:PORT`: the tenant domain to configure (Auth0 clients prepend `https://`). */
  domain: string;
  /** `https://127.0.0.1:PORT`. */
  origin: string;
  /** A file holding the run's certificate authority (PEM), for SSL_CERT_FILE and NODE_EXTRA_CA_CERTS. */
  caFile: string;
  close(): Promise<void>;
}

/** Starts the stand-in behind TLS on 127.0.0.1; `dir` receives the authority's PEM file. */
export async function startHttpsAuth0StandIn(dir: string): Promise<HttpsAuth0StandIn> {
  const certificate = await runCertificate();
  const caFile = path.join(dir, "stand-in-ca.pem");
  await writeFile(caFile, certificate.caPem, { mode: 0o600 });

  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  let upstreamPort = 0;
  const listener = createServer({ key: certificate.keyPem, cert: certificate.chainPem }, (client: TLSSocket) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    track(client);
    track(upstream);
    // A reset on either side ends both: neither a client nor the stand-in is left half-open.
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = listener.address() as AddressInfo;
  const domain = `127.0.0.1:${port}`;
  let standIn: Auth0StandIn;
  try {
    standIn = await startAuth0StandIn({ domain });
  } catch (error) {
    listener.close();
    throw error;
  }
  upstreamPort = Number(new URL(standIn.url).port);

  return {
    standIn,
    domain,
    origin: `https://${domain}`,
    caFile,
    async close() {
      await new Promise<void>((resolve) => {
        listener.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await standIn.close();
    },
  };
}
