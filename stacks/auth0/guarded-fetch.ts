/**
 * The one door every request that carries a credential goes through (audit, adopt and verify):
 * the auditor's client secret and bearer token, the import job's secret or client assertion,
 * the integration-test and developer portal applications' secrets, the test user's password, and the access tokens
 * verify shows the gateway.
 *
 * Three rules, held here so that nothing can bypass them:
 * - a request goes only to an origin on the caller's list: `https://<the stack's domain>`, and
 *   for verify also the gateway's origin, which is where the import job's and the test user's
 *   access tokens are meant to go (and only those: the token requests' fetch does not allow
 *   it). Anything else is refused before a byte is sent.
 * - redirects are never followed (`redirect: "manual"`): a 3xx is an answer that could not
 *   be read, naming where it pointed. Following it would send the body (a client secret) or a
 *   header (a bearer token) wherever `Location` says, and take another host's answer as the
 *   tenant's. What a runtime's fetch happens to strip on a cross-host hop is not relied on.
 * - no answer is read past `maxBytes` (a declared Content-Length over it is refused unread, a
 *   body that runs over it is cut and refused), and no body outlives the caller's signal: an
 *   answer of any size or speed ends as a clear refusal, never as a process out of memory or
 *   one still reading after its time budget.
 */

/** A few MiB: the largest page of 100 clients Auth0 answers is well under 1 MiB. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** An answer that was refused unread or cut off: the message says why, in words a person acts on. */
export class AnswerRefused extends Error {}

/** A request that was never sent: its URL is not one a credential may go to. */
export class HostRefused extends Error {}

export interface GuardOptions {
  /** Origins a request may go to, e.g. `https://dev-timesheets.eu.auth0.com`. */
  readonly allowedOrigins: readonly string[];
  /** The most bytes read of one answer's body; MAX_ANSWER_BYTES when absent. */
  readonly maxBytes?: number;
}

const urlOf = (input: Parameters<typeof fetch>[0]): URL => new URL(input instanceof Request ? input.url : String(input));

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`;

/** Where a 3xx pointed, as shown: the header's own text, cut short, or that it named nothing. */
function pointedTo(location: string | null): string {
  if (location === null || location.trim() === "") return "no Location";
  const shown = location.trim();
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}

/** The body of `response`, cut off with an error past `maxBytes` and errored when `signal` aborts. */
function boundedBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  signal: AbortSignal | undefined,
  url: URL,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let read = 0;
  let onAbort: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (signal === undefined) return;
      onAbort = () => {
        controller.error(signal.reason);
        void reader.cancel(signal.reason).catch(() => undefined);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
          controller.close();
          return;
        }
        read += chunk.value.byteLength;
        if (read > maxBytes) {
          const error = new AnswerRefused(
            `${url.host} answered more than ${mib(maxBytes)}, more than any answer it should give; not read further`,
          );
          controller.error(error);
          await reader.cancel(error).catch(() => undefined);
          return;
        }
        controller.enqueue(chunk.value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
      return reader.cancel(reason);
    },
  });
}

/** The tenant's origin: the one place the stack's Auth0 credentials may go. */
export const tenantOrigin = (domain: string): string => `https://${domain}`;

/** A fetch that holds the three rules above, over `base`. */
export function guardedFetch(base: typeof fetch, options: GuardOptions): typeof fetch {
  const allowed = new Set(options.allowedOrigins.map((origin) => new URL(origin).origin));
  const maxBytes = options.maxBytes ?? MAX_ANSWER_BYTES;
  return async (input, init) => {
    const url = urlOf(input);
    if (!allowed.has(url.origin)) {
      throw new HostRefused(`refused to send a request to ${url.origin}: credentials go only to ${[...allowed].join(" or ")}`);
    }
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const response = await base(input, { ...init, redirect: "manual" });
    // `opaqueredirect` (status 0) is what a browser-like fetch gives for a redirect it did not follow.
    if ((response.status >= 300 && response.status <= 399) || response.type === "opaqueredirect") {
      await response.body?.cancel().catch(() => undefined);
      throw new AnswerRefused(
        `could not read ${url.pathname}, it answered ${response.status} pointing to ${pointedTo(response.headers.get("location"))}; redirects are never followed`,
      );
    }
    const declared = Number(response.headers.get("content-length") ?? "");
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new AnswerRefused(
        `${url.host} announced an answer of ${mib(declared)}, more than the ${mib(maxBytes)} read of one answer; not read`,
      );
    }
    if (response.body === null) return response;
    return new Response(boundedBody(response.body, maxBytes, signal, url), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
