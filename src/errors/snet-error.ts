import type { ErrorCode } from './codes.ts';

/** Log-safe extra facts about an error (no secrets: they reach logs). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options for {@link SnetError}. */
export interface SnetErrorOptions {
  /** How to fix it, written for the person who can (operator or client developer). */
  readonly hint?: string;
  /** The underlying failure; kept for logs, never sent to a client. */
  readonly cause?: unknown;
  /** Small, log-safe facts (key names, sources, masked values). */
  readonly details?: ErrorDetails;
}

/**
 * The one error type of the daemon: a stable `code`, a `message` that names the bad value,
 * a `hint` that says how to fix it, and a `cause` kept for logs only.
 * Transport maps `code` to a wire status in one table; domain code never knows gRPC codes.
 */
export class SnetError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options: SnetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SnetError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** Message plus hint, as shown to a person (CLI, client-facing text). */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message}\nHint: ${this.hint}`;
  }
}

/** True when `value` is a {@link SnetError} (optionally with the given code). */
export function isSnetError(value: unknown, code?: ErrorCode): value is SnetError {
  return value instanceof SnetError && (code === undefined || value.code === code);
}
