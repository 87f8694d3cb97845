// A user's situation (a tool not installed, a file that cannot be read or written, a host that
// does not answer) said in a line or a few, with what to do: the commands print these messages
// alone and exit 1. A stack trace is kept for what is a fault of ours.

/** Something the user can put right; `runAsProcess` prints its message alone, never a trace. */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const TOOLS: Readonly<Record<string, { readonly label: string; readonly install: string }>> = {
  pulumi: { label: "the Pulumi CLI (pulumi)", install: "install it from https://www.pulumi.com/docs/install/" },
};

/** A program a command runs is not installed, or not on PATH; `instead` says what works without it. */
export class MissingTool extends Refusal {
  constructor(
    readonly tool: string,
    instead?: string,
  ) {
    const known = TOOLS[tool];
    super(
      `${known?.label ?? tool} is not installed (or not on PATH): ${known?.install ?? `install ${tool}`}${instead === undefined ? "" : `, or ${instead}`}`,
    );
  }
}

/** A file or folder the user named (or the command writes) could not be read or written. */
export class FileProblem extends Refusal {
  constructor(
    readonly file: string,
    doing: "read" | "write",
    error: unknown,
  ) {
    super(`cannot ${doing} ${file}: ${fileReason(error)}`);
  }
}

const FILE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a folder, not a file",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "it exists and is in the way",
  ENOSPC: "no space left on the device",
  EROFS: "the file system is read-only",
};

/** What went wrong with a file, in words; the system's code where there are none. */
export function fileReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in FILE_REASONS) return FILE_REASONS[code] as string;
  return code ?? (error instanceof Error ? error.message : String(error));
}

// Node's fetch (undici) puts the system's reason in `cause.code`.
const CONNECTION_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "its name could not be looked up",
  ETIMEDOUT: "the connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection was closed",
  UND_ERR_SOCKET: "the connection was closed",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
};

/** The first `code` on an error's chain of causes. */
export function causeCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    if (typeof current === "object" && "code" in current && typeof current.code === "string") return current.code;
    current = typeof current === "object" && "cause" in current ? current.cause : undefined;
  }
  return undefined;
}

/**
 * Why a request to `host` got no answer, in words ("could not connect to h (no such host)"), or
 * undefined when the error is not a connection's.
 */
export function connectionProblem(host: string, error: unknown): string | undefined {
  const code = causeCode(error);
  if (code !== undefined && code in CONNECTION_REASONS) return `could not connect to ${host} (${CONNECTION_REASONS[code]})`;
  if (code !== undefined && (code.includes("CERT") || code.startsWith("ERR_TLS")))
    return `could not connect to ${host} (its TLS certificate was refused: ${code})`;
  return undefined;
}

/**
 * The Pulumi CLI's errors (through the Automation API) carry its whole stdout and stderr; the
 * first line that says something is what went wrong. Secrets are never in them.
 */
export function pulumiProblem(error: unknown, instead?: string): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/ENOENT/.test(text) && /pulumi/.test(text)) return new MissingTool("pulumi", instead).message;
  // A CommandError reads `code: N\n stdout: ...\n stderr: ...\n err?: ...`: the CLI says what failed on stderr.
  const saying = (source: string): string[] =>
    source
      .split("\n")
      .map((l) => l.trim().replace(/^stderr:\s*/, ""))
      .filter((l) => l !== "" && !/^(code: |stdout:|err\?:|at )/.test(l));
  const stderr = /\n stderr: ([\s\S]*?)\n err\?:/.exec(text)?.[1];
  const lines = stderr === undefined ? saying(text) : saying(stderr);
  const line =
    lines.find((l) => /^error:/i.test(l)) ??
    lines[0] ??
    `the Pulumi CLI failed without saying why (${/^code: (\d+)/.exec(text)?.[0] ?? "no exit code"})`;
  return line.replace(/^error:\s*/i, "").slice(0, 300);
}
