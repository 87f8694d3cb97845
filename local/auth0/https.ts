import { localAuthority, startTlsFront } from "../tls";
import { readTenantFile, TenantFileError, writeTenantFile } from "../tenant-file";
import { seedRoles } from "../roles";
import { startAuth0StandIn, type Auth0StandIn } from "./index";

// The Auth0 stand-in as a real HTTPS server, for programs that cannot be handed a `fetch`: the
// Terraform provider inside the Pulumi auth0 plugin, the audit run as its own process, curl.
// TLS ends at a listener on 127.0.0.1 (local/tls.ts, with the folder's certificate authority)
// that pipes each connection to the stand-in's own plain-HTTP listener. The domain is
// `127.0.0.1:PORT`: Auth0's clients build `https://DOMAIN/...`, and a domain with a port is
// still a host they can reach.

export interface HttpsAuth0StandIn {
  /** The stand-in behind the TLS listener, answering for `domain`. */
  standIn: Auth0StandIn;
  /** `127.0.0.1:PORT`: the tenant domain to configure (Auth0 clients prepend `https://`). */
  domain: string;
  /** `https://127.0.0.1:PORT`. */
  origin: string;
  /** A file holding the certificate authority (PEM), for SSL_CERT_FILE and NODE_EXTRA_CA_CERTS. */
  caFile: string;
  close(): Promise<void>;
}

export interface HttpsAuth0Options {
  /** The TLS port on 127.0.0.1; 0 (the default) takes any free one. */
  readonly port?: number;
  /**
   * Where the tenant is kept between starts (local mode): read at start, written after each
   * change. A new tenant there also gets the deployer, previewer and auditor applications.
   * Without it the tenant lives in memory only, as tests want.
   */
  readonly tenantFile?: string;
  /** How many of the latest requests `standIn.requests` keeps: all without a tenant file (tests), none with one (local mode). */
  readonly requestLog?: number;
}

/** Starts the stand-in behind TLS on 127.0.0.1; `folder` holds the certificate authority (made there once). */
export async function startHttpsAuth0StandIn(folder: string, options: HttpsAuth0Options = {}): Promise<HttpsAuth0StandIn> {
  const authority = await localAuthority(folder);
  const restore = options.tenantFile === undefined ? undefined : readTenantFile(options.tenantFile);
  // A saved tenant's address is in every token it issued and in its Management API's identifier:
  // it comes back where it was. Port 0 means "wherever it was"; another port is refused.
  const savedPort = restore === undefined ? undefined : Number(/^127\.0\.0\.1:(\d+)$/.exec(restore.domain)?.[1] ?? Number.NaN);
  if (
    restore !== undefined &&
    (savedPort === undefined || Number.isNaN(savedPort) || (options.port !== undefined && options.port !== 0 && options.port !== savedPort))
  )
    throw new TenantFileError(
      `the local tenant in ${options.tenantFile ?? ""} lives at ${restore.domain}, not 127.0.0.1:${options.port ?? 0}: start it on its own port (--auth0-port ${savedPort ?? ""}), or start a new one`,
      true,
    );
  let upstreamPort = 0;
  const front = await startTlsFront(authority, savedPort ?? options.port ?? 0, () => upstreamPort);
  const domain = `127.0.0.1:${front.port}`;
  let standIn: Auth0StandIn;
  try {
    const { tenantFile } = options;
    standIn = await startAuth0StandIn({
      domain,
      restore,
      requestLog: options.requestLog ?? (tenantFile === undefined ? undefined : 0),
      onChange: tenantFile === undefined ? undefined : (saved) => writeTenantFile(tenantFile, saved),
    });
    if (tenantFile !== undefined && restore === undefined) {
      await seedRoles(standIn);
      writeTenantFile(tenantFile, await standIn.saved());
    }
  } catch (error) {
    await front.close();
    throw error;
  }
  upstreamPort = Number(new URL(standIn.url).port);

  return {
    standIn,
    domain,
    origin: `https://${domain}`,
    caFile: authority.caFile,
    async close() {
      await front.close();
      await standIn.close();
    },
  };
}
