/**
 * One failure type for everything a user can cause. `code` is stable (API bodies, CLI exit codes); `message` is
 * written for the person in front of the screen and never carries an internal detail.
 */
export const ERROR_CODES = [
  "invalid_json",
  "invalid_body",
  "invalid_query",
  "empty_file",
  "binary_file",
  "header_only",
  "unrecognised_format",
  "too_large",
  "no_valid_rows",
  "unreadable",
  "not_found",
  "not_a_table",
  "unsupported_media_type",
  "currency_conflict",
  "upload_conflict",
  "busy",
  "cross_site",
  "misdirected",
  "overloaded",
  "timed_out",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  empty_file: 422,
  binary_file: 415,
  header_only: 422,
  unrecognised_format: 422,
  too_large: 413,
  no_valid_rows: 422,
  unreadable: 422,
  not_found: 404,
  not_a_table: 422,
  unsupported_media_type: 415,
  currency_conflict: 400,
  /** A file that cannot go into the dataset named (an order list, another kind of rows), or an upload that cannot be removed. */
  upload_conflict: 409,
  /** Another write holds the database; the answer carries Retry-After. */
  busy: 503,
  /** A state-changing request sent by another site's page (Origin / Sec-Fetch-Site). */
  cross_site: 403,
  /** A Host header the server is not meant to answer to (DNS rebinding). */
  misdirected: 421,
  /** Every worker busy and the queue full: try again after Retry-After. */
  overloaded: 503,
  /** The work took longer than TASK_TIMEOUT_S and was stopped. */
  timed_out: 504,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra, user-safe detail (e.g. the headers we saw), returned to the client. */
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
