import { BlockList, isIP } from "node:net";

/*
 * The local environment's one privilege: its tenant and gateway may be this machine. Kept apart
 * so that the config schema, the gateway schema, verify and the policy pack's twin read one rule.
 */

/** This machine, with a port, as local mode writes it: where `npm run local` serves the local Auth0 and the local gateway. */
export const LOOPBACK_ADDRESS =
  /^(?:127\.0\.0\.1|localhost|\[::1\]):(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;

/** Whether a value is written the way local mode writes this machine (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`). */
export function isLoopbackAddress(value: string): boolean {
  return LOOPBACK_ADDRESS.test(value.trim().toLowerCase());
}

/** The addresses that are this machine: 127.0.0.0/8, 0.0.0.0 and ::, ::1; IPv4-mapped IPv6 (::ffff:127.x) match their IPv4 rule. */
const THIS_MACHINE = new BlockList();
THIS_MACHINE.addSubnet("127.0.0.0", 8, "ipv4");
THIS_MACHINE.addAddress("0.0.0.0", "ipv4");
THIS_MACHINE.addAddress("::1", "ipv6");
THIS_MACHINE.addAddress("::", "ipv6");

/**
 * Whether a host, `host:port` or URL names this machine, decided on the host as an address
 * parser reads it (WHATWG URL, as Node's fetch and the providers' HTTP clients do): so
 * `2130706433`, `0x7f.1`, `127.1`, `[::ffff:127.0.0.1]`, `LOCALHOST` and `%6c%6fcalhost` are all
 * 127.0.0.1 or localhost. `localhost` and every `*.localhost` name are loopback (RFC 6761 §6.3).
 */
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

/** The one wording for a tenant on this machine outside the local environment, shared by the program's config and the policy pack. */
export function loopbackRefusal(value: string, environment: string): string {
  return `${JSON.stringify(value)} is this machine (the local Auth0 of \`npm run local\`); a loopback domain is accepted only in environment local, and this stack is ${environment}`;
}
