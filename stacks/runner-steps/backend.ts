import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EPHEMERAL_STATE_FIX } from "../fixes";
import { FileProblem } from "../problems";
import { REPO_ROOT } from "../stack-config";

/** Where a single engineer's state lives when no backend is chosen: inside the checkout, git-ignored. */
export const LOCAL_STATE_DIR = path.join(REPO_ROOT, ".pulumi-state");

const chosen = (env: NodeJS.ProcessEnv): string | undefined => {
  const url = env.PULUMI_BACKEND_URL?.trim();
  return url === undefined || url === "" ? undefined : url;
};

/**
 * The environment for the CLI: the local file backend unless PULUMI_BACKEND_URL chooses
 * another, so that where state lives never depends on an earlier `pulumi login`. An empty
 * variable (a workflow whose repository variable is unset) chooses nothing.
 */
export function backendEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const url = chosen(env);
  if (url !== undefined) return env.PULUMI_BACKEND_URL === url ? env : { ...env, PULUMI_BACKEND_URL: url };
  return { ...env, PULUMI_BACKEND_URL: `file://${LOCAL_STATE_DIR}` };
}

/** Whether this runs in automation: CI systems set CI, GitHub Actions also GITHUB_ACTIONS. */
export function inAutomation(env: NodeJS.ProcessEnv): boolean {
  return ["CI", "GITHUB_ACTIONS"].some((name) => {
    const value = env[name]?.trim().toLowerCase();
    return value !== undefined && value !== "" && value !== "false" && value !== "0";
  });
}

/**
 * In automation the checkout is thrown away after the run: state written inside it is lost, and
 * the next run starts from empty state and creates every object again, beside the first ones
 * (Auth0 does not make client names unique). So automation must name a backend.
 */
export function ephemeralStateRefusal(env: NodeJS.ProcessEnv): string | undefined {
  if (!inAutomation(env) || chosen(env) !== undefined) return undefined;
  return `error: PULUMI_BACKEND_URL is not set and this runs in automation (CI or GITHUB_ACTIONS is set): state in the checkout would be lost with it, and the next run would create every object again; ${EPHEMERAL_STATE_FIX}`;
}

/** The folder of a `file://` backend URL (Pulumi's forms: `file:///abs`, `file://~/in-home`, `file://relative`), else undefined. */
export function fileBackendFolder(url: string, cwd: string): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  const raw = decodeURIComponent(url.slice("file://".length).split("?")[0] ?? "");
  const expanded = raw === "~" || raw.startsWith("~/") ? path.join(os.homedir(), raw.slice(1)) : raw;
  return path.resolve(cwd, expanded);
}

/**
 * Creates the folder of a file backend, which Pulumi does not ("unable to open bucket ... no
 * such file or directory"). Other backends are the user's to have created.
 */
export function prepareFileBackend(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const folder = fileBackendFolder(env.PULUMI_BACKEND_URL ?? "", cwd);
  if (folder === undefined) return undefined;
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new FileProblem(folder, "write", error);
  }
  return folder;
}
