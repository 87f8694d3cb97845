import type { TenantSpec } from "../../infra/config/spec";
import type { Clock } from "../../stacks/auth0/clock";
import type { Auth0StandIn } from "../../local/auth0";

// Answers Auth0 should never give, put between the audit and the stand-in: each rule picks
// calls by path (and page) and replaces or bends the stand-in's real answer.

export type Fault =
  /** Another status, with Auth0's error body. */
  | { readonly kind: "status"; readonly status: number }
  /** A 200 whose body is this text. */
  | { readonly kind: "body"; readonly text: string; readonly contentType?: string }
  /** A 200 whose JSON body is the stand-in's, changed. */
  | { readonly kind: "json"; readonly edit: (body: unknown) => unknown }
  /** The stand-in's body cut after this share of its length. */
  | { readonly kind: "truncate"; readonly keep: number }
  /** The connection is refused. */
  | { readonly kind: "refuse" }
  /** No answer at all: the request waits until it is aborted. */
  | { readonly kind: "hang" }
  /** Any status and headers (a redirect's Location among them), with this body. */
  | { readonly kind: "answer"; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly text?: string }
  /** A 200 whose body runs to `bytes` (made as it is read, never held), optionally announcing its length. */
  | { readonly kind: "huge"; readonly bytes: number; readonly announce: boolean }
  /** A 200 whose body starts and then stops, never ending (the request's time runs out while it is read). */
  | { readonly kind: "stall" };

export interface Rule {
  /** The path the rule applies to (exact) or a pattern. */
  readonly path: string | RegExp;
  /** Offset paging: only the page with this `page` query value. */
  readonly page?: number;
  /** Only from this matching call on (0-based); every matching call when absent. */
  readonly from?: number;
  readonly fault: Fault;
}

export interface HostileFetch {
  readonly fetch: typeof fetch;
  /** The rules that changed an answer, as `path fault`. */
  readonly applied: string[];
}

const urlOf = (input: Parameters<typeof fetch>[0]): URL => new URL(input instanceof Request ? input.url : String(input));

const auth0Error = (status: number): string =>
  JSON.stringify({ statusCode: status, error: status === 401 ? "Unauthorized" : "Error", message: `Injected ${status}` });

/** `onHang` runs when a call is left unanswered (a fake clock moves past the budget there). */
export function hostileFetch(base: typeof fetch, rules: readonly Rule[], onHang: () => void = () => undefined): HostileFetch {
  const applied: string[] = [];
  const seen = new Map<Rule, number>();
  const fetchFn: typeof fetch = async (input, init) => {
    const url = urlOf(input);
    const rule = rules.find((candidate) => {
      const pathMatches = typeof candidate.path === "string" ? url.pathname === candidate.path : candidate.path.test(url.pathname);
      if (!pathMatches) return false;
      if (candidate.page !== undefined && url.searchParams.get("page") !== String(candidate.page)) return false;
      const count = seen.get(candidate) ?? 0;
      seen.set(candidate, count + 1);
      return count >= (candidate.from ?? 0);
    });
    if (rule === undefined) return base(input, init);
    const { fault } = rule;
    applied.push(`${url.pathname} ${fault.kind}`);
    switch (fault.kind) {
      case "refuse":
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
      case "hang":
        return new Promise<Response>((_resolve, reject) => {
          const signal = init?.signal;
          if (signal?.aborted) reject(signal.reason as Error);
          signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
          onHang();
        });
      case "status":
        return new Response(auth0Error(fault.status), { status: fault.status, headers: { "content-type": "application/json" } });
      case "answer":
        // A body is not allowed with some statuses (204, 304): those get none.
        return new Response([204, 205, 304].includes(fault.status) ? null : (fault.text ?? ""), {
          status: fault.status,
          headers: fault.headers,
        });
      case "huge":
        return new Response(endlessJson(fault.bytes), {
          status: 200,
          headers: { "content-type": "application/json", ...(fault.announce ? { "content-length": String(fault.bytes) } : {}) },
        });
      case "stall": {
        const started = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"clients":['));
          },
        });
        setImmediate(onHang);
        return new Response(started, { status: 200, headers: { "content-type": "application/json" } });
      }
      case "body":
        return new Response(fault.text, { status: 200, headers: { "content-type": fault.contentType ?? "text/html" } });
      case "json": {
        const real = await base(input, init);
        const body = fault.edit(await real.json());
        return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
      }
      case "truncate": {
        const real = await base(input, init);
        const text = await real.text();
        return new Response(text.slice(0, Math.floor(text.length * fault.keep)), {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      }
    }
  };
  return { fetch: fetchFn, applied };
}

/** `{"clients":[{...},{...},...` to `bytes` bytes, made a chunk at a time as it is read. */
function endlessJson(bytes: number): ReadableStream<Uint8Array> {
  const item = new TextEncoder().encode('{"client_id":"x","name":"' + "a".repeat(1000) + '"},');
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        const head = new TextEncoder().encode('{"clients":[');
        sent += head.byteLength;
        controller.enqueue(head);
        return;
      }
      if (sent >= bytes) {
        controller.close();
        return;
      }
      sent += item.byteLength;
      controller.enqueue(item);
    },
  });
}

/** More than a page of clients and of grants: 100 applications, each granted on another API. */
export async function fillTwoPages(standIn: Auth0StandIn): Promise<void> {
  await standIn.createResourceServer({ name: "Reports", identifier: "https://reports.example/api", scopes: [{ value: "read:reports" }] });
  for (let i = 0; i < 100; i += 1) {
    const app = await standIn.createClient({ name: `App ${i}`, app_type: "non_interactive", grant_types: ["client_credentials"] });
    await standIn.createClientGrant({ client_id: app.client_id, audience: "https://reports.example/api", scope: ["read:reports"] });
  }
}

/** Drift on the last page of clients (after `fillTwoPages`): a second "Timesheets Import Job". */
export async function duplicateImportJob(standIn: Auth0StandIn, spec: TenantSpec): Promise<void> {
  await standIn.createClient({ name: spec.importJob.name, app_type: "non_interactive", grant_types: ["client_credentials"] });
}

/** Drift on the last page of grants (after `fillTwoPages`): another client granted delete:timesheets on the API. */
export async function rogueGrant(standIn: Auth0StandIn, spec: TenantSpec): Promise<void> {
  const rogue = await standIn.createClient({ name: "Rogue", app_type: "non_interactive", grant_types: ["client_credentials"] });
  await standIn.createClientGrant({ client_id: rogue.client_id, audience: spec.api.identifier, scope: ["delete:timesheets"] });
}

/**
 * A clock for tests: time moves only when everything that waits is asleep (to the end of the
 * first sleep) or when the test advances it; budgets expire when it passes them. No test
 * waits for real.
 */
export class FakeClock implements Clock {
  private time: number;
  private timers: Array<{ at: number; fire: () => void }> = [];
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  private flushing = false;

  constructor(start = Date.parse("2026-12-01T12:00:00Z")) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const sleeper = { at: this.time + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        "abort",
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason as Error);
        },
        { once: true },
      );
      this.scheduleFlush();
    });
  }

  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    this.timers.push({ at: this.time + ms, fire: () => controller.abort(new DOMException("The time budget is spent", "TimeoutError")) });
    return controller.signal;
  }

  advance(ms: number): void {
    this.moveTo(this.time + ms);
  }

  // Sleepers that went to sleep in the same turn wake in the order of their ends.
  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const next = Math.min(...this.sleepers.map((s) => s.at));
      if (Number.isFinite(next)) this.moveTo(next);
      if (this.sleepers.length > 0) this.scheduleFlush();
    });
  }

  private moveTo(time: number): void {
    this.time = Math.max(this.time, time);
    const due = this.timers.filter((timer) => timer.at <= this.time);
    this.timers = this.timers.filter((timer) => timer.at > this.time);
    for (const timer of due) timer.fire();
    const awake = this.sleepers.filter((s) => s.at <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const sleeper of awake) sleeper.wake();
  }
}
