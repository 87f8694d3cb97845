import { STATUS_CODES } from "node:http";

/** The body Auth0's Management API answers on every error. */
export interface ManagementErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode?: string;
}

/** The body of Auth0's Authentication API (`/oauth/token`) errors, as RFC 6749 shapes it. */
export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** A Management API failure; thrown by handlers, turned into Auth0's error body by the server. */
export class ManagementApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly errorCode?: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Further properties some errors carry (an invalid token's `attributes`). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  body(): ManagementErrorBody & Record<string, unknown> {
    const body: ManagementErrorBody & Record<string, unknown> = {
      statusCode: this.statusCode,
      error: STATUS_CODES[this.statusCode] ?? "Error",
      message: this.message,
    };
    if (this.errorCode !== undefined) body.errorCode = this.errorCode;
    return { ...body, ...this.extra };
  }
}

/** An `/oauth/token` failure. */
export class OAuthError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }

  body(): OAuthErrorBody {
    return { error: this.error, error_description: this.message };
  }
}

export const badRequest = (message: string, errorCode = "invalid_body"): ManagementApiError =>
  new ManagementApiError(400, message, errorCode);

export const notFound = (message: string, errorCode: string): ManagementApiError => new ManagementApiError(404, message, errorCode);

export const conflict = (message: string, errorCode: string): ManagementApiError => new ManagementApiError(409, message, errorCode);
