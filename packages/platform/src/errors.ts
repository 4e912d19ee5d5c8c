/** The small set of domain errors; each maps to one HTTP status in the problem handler. */
export type FieldError = { field: string; message: string };

export class ValidationError extends Error {
  readonly name = 'ValidationError';
  constructor(message: string, readonly errors: FieldError[] = []) {
    super(message);
  }
}

export class NotFoundError extends Error {
  readonly name = 'NotFoundError';
}

export class UnauthorizedError extends Error {
  readonly name = 'UnauthorizedError';
}

/** `errors` names the fields a write may not set (field permissions). */
export class ForbiddenError extends Error {
  readonly name = 'ForbiddenError';
  constructor(message: string, readonly errors: FieldError[] = []) {
    super(message);
  }
}

/** A command the current state refuses; `rule` names the business rule. */
export class IllegalStateError extends Error {
  readonly name = 'IllegalStateError';
  constructor(readonly rule: string, message: string) {
    super(message);
  }
}

/** Expected stream version did not match. Versions are counts of events in the stream (0 = no stream). */
export class ConcurrencyError extends Error {
  readonly name = 'ConcurrencyError';
  constructor(readonly streamId: string, readonly expected: string | number, readonly actual: number) {
    super(`Stream ${streamId}: expected version ${expected}, actual ${actual}`);
  }
}

/** A duplicate of something that must be unique (an email, a stage name). */
export class ConflictError extends Error {
  readonly name = 'ConflictError';
  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

/** A backing store (PostgreSQL, EventStoreDB) cannot be reached; callers should retry later. */
export class StoreUnavailableError extends Error {
  readonly name = 'StoreUnavailableError';
}

/** A write whose body is not JSON (or that declares another media type). */
export class UnsupportedMediaTypeError extends Error {
  readonly name = 'UnsupportedMediaTypeError';
}
