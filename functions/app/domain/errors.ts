/** Errors of the domain layer; each says what, where, and what to do. */

/** A record a job or consumer needs does not exist (any more). */
export class RecordNotFound extends Error {
  static readonly rubyName = 'ActiveRecord::RecordNotFound';
  constructor(
    readonly model: string,
    readonly id: string,
  ) {
    super(`${model} ${id} does not exist (deleted, or never written to this environment's tables)`);
    this.name = 'RecordNotFound';
  }
}

/** An identifier that cannot be a record id: rejected before it reaches a key. */
export class MalformedIdentifierError extends TypeError {
  /** A consumer dead-letters the message at once (functions/runtime/consumers: isInvalidMessage). */
  readonly invalidMessage = true;
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`${field} ${JSON.stringify(value)} is not a valid identifier: expected a UUID or a number (letters, digits, "-" and "_", 1–128 characters); fix the producer of this message`);
    this.name = 'MalformedIdentifierError';
  }
}

const IDENTIFIER = /^[A-Za-z0-9_-]{1,128}$/;

/** Checks an id used in a key (no `#`, which separates key parts); returns it. */
export function identifier(field: string, value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) throw new MalformedIdentifierError(field, value);
  return value;
}

