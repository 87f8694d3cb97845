// The sign-in page of the local Auth0's authorization endpoint: e-mail and password for the
// database connection, the error of a failed attempt shown on the page. Everything that comes
// from a request or the tenant is escaped; the page loads nothing and may not be framed.

/** HTML's five special characters, escaped for text and for a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

export interface SignInPage {
  /** The authorization request this form belongs to (`state` of `/u/login`, as Auth0's Universal Login names it). */
  readonly transaction: string;
  readonly applicationName: string;
  readonly email?: string;
  readonly error?: string;
}

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // No script, no outside resource, no framing. form-action is left out: Chromium applies it to
  // the redirect after the form too, and that redirect goes to the application's callback.
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
};

const STYLE = "body{font-family:sans-serif;max-width:22rem;margin:4rem auto}label{display:block;margin:.8rem 0}input{width:100%}";

export function signInPage(page: SignInPage): string {
  const error = page.error === undefined ? "" : `<p role="alert" id="error">${escapeHtml(page.error)}</p>`;
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>Log in</title>',
    `<style>${STYLE}</style></head><body>`,
    `<h1>Log in</h1><p>to continue to ${escapeHtml(page.applicationName)}</p>`,
    error,
    '<form method="post" action="/u/login">',
    `<input type="hidden" name="state" value="${escapeHtml(page.transaction)}">`,
    `<label>Email address <input type="email" name="username" autocomplete="username" required value="${escapeHtml(page.email ?? "")}"></label>`,
    '<label>Password <input type="password" name="password" autocomplete="current-password" required></label>',
    '<button type="submit" name="action" value="default">Continue</button>',
    "</form></body></html>",
  ].join("\n");
}

/** The page Auth0 shows when it cannot send the browser back to the application (an unknown client, a callback not allowed). */
export function errorPage(title: string, description: string): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>Error</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1><p role="alert" id="error">${escapeHtml(description)}</p>`,
    "</body></html>",
  ].join("\n");
}
