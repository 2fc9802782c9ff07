/**
 * What the Worker's services (the write path, inference) throw or return when a request cannot be done. They
 * carry a stable code, a message naming what is wrong and details, never an HTTP status: each door maps them to
 * its dialect (`workers/http/domain-status.ts` for /api/v1, `workers/mlflow/errors.ts` for MLflow), so a Durable
 * Object or a Cron handler can call the same services without an HTTP context (docs/architecture.md).
 */
export class DomainError extends Error {
	readonly code: string;
	readonly details?: unknown;
	/** Seconds before the same call may succeed (a write that could not be placed among concurrent ones). */
	readonly retryAfter?: number;

	constructor(opts: { code: string; message: string; details?: unknown; retryAfter?: number }) {
		super(opts.message);
		this.name = new.target.name;
		this.code = opts.code;
		this.details = opts.details;
		this.retryAfter = opts.retryAfter;
	}
}

type Opts = { message: string; details?: unknown };

/** The input breaks a rule; the message names the field (details.path or details.issues[].path). */
export class InvalidInput extends DomainError {
	constructor(o: Opts) {
		super({ code: 'invalid_request', ...o });
	}
}

export class NotFound extends DomainError {
	constructor(o: Opts) {
		super({ code: 'not_found', ...o });
	}
}
export class ModelNotFound extends NotFound {}
export class VersionNotFound extends NotFound {}
export class AliasNotFound extends NotFound {}

export class Conflict extends DomainError {
	constructor(o: Opts) {
		super({ code: 'conflict', ...o });
	}
}

export class Forbidden extends DomainError {
	constructor(o: Opts) {
		super({ code: 'forbidden', ...o });
	}
}

/** More than one call may carry (rows to score). */
export class TooLarge extends DomainError {
	constructor(o: Opts) {
		super({ code: 'payload_too_large', ...o });
	}
}

/** The version exists but lacks what serving needs (an artifact, its bytes, a preprocessing signature). */
export class NotServable extends DomainError {
	constructor(o: Opts) {
		super({ code: 'not_servable', ...o });
	}
}

/** The stored model breaks the serving contract (malformed signature, graph ORT cannot load or run). */
export class InvalidModel extends DomainError {
	constructor(o: Opts) {
		super({ code: 'invalid_model', ...o });
	}
}

/** The stored bytes are not the bytes the version names (their sha-256 differs): storage is damaged, not the request. */
export class BrokenArtifact extends DomainError {
	constructor(o: Opts) {
		super({ code: 'broken_artifact', ...o });
	}
}

/** Momentary: the same call may succeed after `retryAfter` seconds. */
export class Unavailable extends DomainError {
	constructor(o: Opts & { retryAfter: number }) {
		super({ code: 'unavailable', ...o });
	}
}

const BY_CODE: Record<string, new (o: Opts) => DomainError> = {
	invalid_request: InvalidInput,
	not_found: NotFound,
	conflict: Conflict,
	forbidden: Forbidden
};

/** A refusal stored in the mutations log (code and message) as the error it was. */
export function domainErrorOf(code: string, message: string, details?: unknown): DomainError {
	const Known = BY_CODE[code];
	return Known ? new Known({ message, details }) : new DomainError({ code, message, details });
}
