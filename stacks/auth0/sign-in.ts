import { unanswered } from "./answer";
import { TokenUnusable, type ManagementSession } from "./session";

/**
 * Gets the session's token before anything is read (every read would fail the same way
 * without it), within the budget. Undefined when there is one; else why not, in words.
 */
export async function signIn(session: ManagementSession, budget: string): Promise<string | undefined> {
  try {
    await Promise.race([session.token(), aborted(session.signal)]);
    return undefined;
  } catch (error) {
    const said = unanswered(session, error, budget);
    return error instanceof TokenUnusable ? said : `POST /oauth/token: ${said}`;
  }
}

/** Rejects once the budget is spent: the token request must not outlive it either. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
  });
}
