import { webcrypto, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect, type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { createServer, type TLSSocket } from "node:tls";
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { writeFileAtomic } from "./atomic-file";

// The certificate authority of local mode: made once per folder (the checkout's git-ignored
// `.local/`), then reused, so that a CA file handed to the Pulumi CLI, its plugins, Node or curl
// stays valid from one start to the next. It signs one server certificate for this machine
// (127.0.0.1, ::1, localhost) that both the local Auth0 and the local gateway present.

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 3600 * 1000;
/** Long enough not to bother anyone, short enough that a leaked key of a forgotten checkout expires. */
const VALIDITY_DAYS = 365;
/** A certificate this close to its end is made again rather than handed out. */
const RENEW_BEFORE_MS = 7 * DAY_MS;

/** Where the authority's files live inside the folder given. */
export const AUTHORITY_FILE = "authority.json";
export const CA_FILE = "ca.pem";

export interface LocalAuthority {
  /** A file holding only the authority's certificate (PEM): what SSL_CERT_FILE, NODE_EXTRA_CA_CERTS and `curl --cacert` name. */
  readonly caFile: string;
  readonly caPem: string;
  /** The chain the servers present: their certificate, then the authority's. */
  readonly chainPem: string;
  /** PKCS#8 PEM of the server certificate's key. */
  readonly keyPem: string;
}

interface Stored {
  readonly caPem: string;
  readonly chainPem: string;
  readonly keyPem: string;
}

function usable(stored: Stored): boolean {
  try {
    const server = new X509Certificate(stored.chainPem);
    const ca = new X509Certificate(stored.caPem);
    return server.verify(ca.publicKey) && Date.parse(server.validTo) - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function readStored(file: string): Stored | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Stored;
    return typeof stored.caPem === "string" && typeof stored.chainPem === "string" && typeof stored.keyPem === "string" && usable(stored)
      ? stored
      : undefined;
  } catch {
    return undefined;
  }
}

async function generate(): Promise<Stored> {
  // x509 types its provider as the DOM Crypto, which Node's webcrypto implements.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);
  const notBefore = new Date(Date.now() - 3600 * 1000);
  const notAfter = new Date(Date.now() + VALIDITY_DAYS * DAY_MS);
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto.getRandomValues(new Uint8Array(8)).reduce((hex, byte) => hex + byte.toString(16).padStart(2, "0"), "01"),
    name: "CN=Timesheets local mode authority",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      // pathLength 0: it signs server certificates and no other authority.
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
        { type: "ip", value: "::1" },
        { type: "dns", value: "localhost" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  // The authority's own key is not kept: the one server certificate is all it ever signs, and a
  // key that no longer exists cannot be stolen to sign for other hosts.
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return {
    caPem: ca.toString("pem"),
    chainPem: `${server.toString("pem")}\n${ca.toString("pem")}\n`,
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}

/** The authority of `folder`: read when it is there and valid, made (and written atomically) otherwise. */
export async function localAuthority(folder: string): Promise<LocalAuthority> {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, AUTHORITY_FILE);
  const caFile = path.join(folder, CA_FILE);
  let stored = readStored(file);
  if (stored === undefined) {
    stored = await generate();
    writeFileAtomic(file, JSON.stringify(stored));
  }
  // The CA file follows the authority; rewritten only when it differs, so a reader never sees it half-written.
  if (!existsSync(caFile) || readFileSync(caFile, "utf8") !== stored.caPem) writeFileAtomic(caFile, stored.caPem, 0o644);
  return { caFile, ...stored };
}

export interface TlsFront {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * HTTPS on 127.0.0.1:`port` (0: any free port) for a plain-HTTP server on the same machine: TLS
 * ends here and each connection is piped, byte for byte, to `upstreamPort`, so every request
 * meets the same handler as in-process callers do.
 */
export async function startTlsFront(authority: LocalAuthority, port: number, upstreamPort: () => number): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  // A client may half-close once its request is sent (`shutdown(SHUT_WR)`, `curl` with a body
  // from stdin): it still waits for the answer. So the client's end is not passed on (the
  // upstream HTTP server would abandon the request it is answering); the upstream ends the
  // connection when it is done (`connection: close`, or its keep-alive timeout), and that end
  // reaches the client.
  const listener = createServer({ key: authority.keyPem, cert: authority.chainPem }, (client: TLSSocket) => {
    // Half-open only once the handshake is done: a client that gives up during it (an unknown
    // authority) is closed as before, rather than left half-open.
    client.allowHalfOpen = true;
    const upstream = connect(upstreamPort(), "127.0.0.1");
    track(client);
    track(upstream);
    // A reset on either side ends both.
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream, { end: false });
    upstream.pipe(client);
  });
  // Every connection, handshake done or not, so that closing leaves none behind.
  listener.on("connection", track);
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port: (listener.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
