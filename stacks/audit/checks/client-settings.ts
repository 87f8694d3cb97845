import type { ClientSettingsSpec } from "../../../infra/config/spec";
import { sorted, type Finding, type Severity, type ShownValue } from "../findings";
import type { LiveClient } from "../../auth0/model";

// The settings the program declares on each of its clients (the import job and the
// integration-test application), compared one by one: each client's spec extends
// ClientSettingsSpec, so a setting added there is a setting compared here for both.

interface ClientSetting {
  readonly suffix: string;
  readonly label: string;
  readonly severity: Severity;
  readonly expected: (declared: ClientSettingsSpec) => ShownValue;
  readonly actual: (live: LiveClient) => ShownValue;
}

const same = (a: ShownValue, b: ShownValue): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;

// Each setting the program declares on the client, and what a change to it costs: a URL lets a
// browser flow land somewhere, a changed signing algorithm or a third-party flag changes what
// its tokens are trusted for.
const CLIENT_SETTINGS: readonly ClientSetting[] = [
  {
    suffix: "description",
    label: "description",
    severity: "low",
    expected: (c) => c.description,
    actual: (l) => l.description ?? null,
  },
  {
    suffix: "callbacks",
    label: "callback URLs",
    severity: "high",
    expected: (j) => [...j.callbacks],
    actual: (l) => sorted(l.callbacks),
  },
  {
    suffix: "allowed-origins",
    label: "allowed origins (CORS)",
    severity: "high",
    expected: (j) => [...j.allowedOrigins],
    actual: (l) => sorted(l.allowedOrigins),
  },
  {
    suffix: "web-origins",
    label: "allowed web origins",
    severity: "high",
    expected: (j) => [...j.webOrigins],
    actual: (l) => sorted(l.webOrigins),
  },
  {
    suffix: "logout-urls",
    label: "allowed logout URLs",
    severity: "medium",
    expected: (j) => [...j.allowedLogoutUrls],
    actual: (l) => sorted(l.allowedLogoutUrls),
  },
  {
    suffix: "jwt-alg",
    label: "JWT signing algorithm",
    severity: "medium",
    expected: (j) => j.jwtAlg,
    actual: (l) => l.jwtAlg ?? null,
  },
  {
    suffix: "first-party",
    label: "first-party",
    severity: "medium",
    expected: (j) => j.isFirstParty,
    actual: (l) => l.isFirstParty ?? null,
  },
  {
    suffix: "oidc-conformant",
    label: "OIDC conformant",
    severity: "medium",
    expected: (j) => j.oidcConformant,
    actual: (l) => l.oidcConformant ?? false,
  },
];

/** One finding per declared setting the live client does not hold; kinds are `<prefix>.<setting>`. */
export function declaredSettingFindings(
  prefix: string,
  resource: string,
  declared: ClientSettingsSpec,
  live: LiveClient,
  fix: string,
): Finding[] {
  return CLIENT_SETTINGS.flatMap((setting) => {
    const expected = setting.expected(declared);
    const actual = setting.actual(live);
    return same(expected, actual)
      ? []
      : [
          {
            severity: setting.severity,
            kind: `${prefix}.${setting.suffix}`,
            resource: `${resource}: ${setting.label}`,
            expected,
            actual,
            fix,
          },
        ];
  });
}
