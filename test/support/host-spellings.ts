import fc from "fast-check";

/*
 * Spellings of hosts, for the property tests of "is this host this machine": every way an
 * address parser (WHATWG URL, as Node reads it) accepts of writing this machine, and hosts that
 * are not this machine however close they look.
 */

const octet = fc.integer({ min: 0, max: 255 });
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const withPort = (host: string, p: number | undefined) => (p === undefined ? host : `${host}:${p}`);
const randomCase = (text: string, mask: number) => [...text].map((c, i) => ((mask >> (i % 30)) & 1 ? c.toUpperCase() : c)).join("");

/** An IPv4 address in 127.0.0.0/8 written in one of the forms the URL parser reads. */
const loopbackIpv4 = fc.tuple(octet, octet, octet, fc.nat(4)).map(([b, c, d, form]) => {
  const value = 127 * 2 ** 24 + b * 65536 + c * 256 + d;
  switch (form) {
    case 0:
      return `127.${b}.${c}.${d}`;
    case 1:
      return String(value);
    case 2:
      return `0x7f.${b}.${c}.${d}`;
    case 3:
      return `127.${b * 65536 + c * 256 + d}`;
    default:
      return `0177.${b}.${c}.0${d.toString(8)}`;
  }
});

const hex4 = (n: number) => n.toString(16);

/** This machine: 127/8, 0.0.0.0, ::1, ::ffff:127.x, localhost and *.localhost, any case, a trailing dot, a port. */
export const thisMachineHost: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      loopbackIpv4,
      fc.constantFrom("0.0.0.0", "0", "[::1]", "[0:0:0:0:0:0:0:1]", "[::]"),
      fc.tuple(octet, octet, octet).map(([b, c, d]) => `[::ffff:127.${b}.${c}.${d}]`),
      fc.tuple(octet, octet, octet).map(([b, c, d]) => `[::ffff:${hex4(0x7f00 + b)}:${hex4(c * 256 + d)}]`),
      fc.constantFrom("localhost", "localhost."),
      label.map((name) => `${name}.localhost`),
      fc.tuple(label, label).map(([a, b]) => `exampleco-${a}.${b}.localhost`),
    ),
    fc.nat(),
    port,
  )
  .map(([host, mask, p]) => withPort(randomCase(host, mask), p));

/** Not this machine: real-looking tenants, other private and public addresses, names that only contain "localhost". */
export const otherHost: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      label.map((name) => `exampleco-${name}.eu.auth0.com`),
      fc
        .tuple(
          fc.integer({ min: 1, max: 223 }).filter((a) => a !== 127),
          octet,
          octet,
          octet,
        )
        .map((parts) => parts.join(".")),
      fc.constantFrom("localhost.example.com", "notlocalhost", "localhost-dev.eu.auth0.com", "[::2]", "[::ffff:128.0.0.1]", "128.1"),
    ),
    port,
  )
  .map(([host, p]) => withPort(host, p));
