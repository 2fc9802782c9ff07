/**
 * Errors of the tracking store. The stable code is in `name` (docs/architecture.md, Conventions), so a caller across a worker
 * boundary can branch on it; the message is written for the person using the notebook.
 */

export type TrackingErrorName =
	| 'ParamImmutable'
	| 'InvalidKey'
	| 'InvalidValue'
	| 'InvalidMetric'
	| 'RunNotFound'
	| 'RunDeleted'
	| 'RunEnded'
	| 'RunActive'
	| 'RunDamaged'
	| 'ExperimentNotFound'
	| 'ExperimentExists'
	| 'ExperimentDamaged'
	| 'StorageFull';

export class TrackingError extends Error {
	override readonly name: TrackingErrorName;
	readonly details: Record<string, unknown>;

	constructor(
		name: TrackingErrorName,
		message: string,
		details: Record<string, unknown> = {},
		options?: ErrorOptions
	) {
		super(message, options);
		this.name = name;
		this.details = details;
	}
}

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

/**
 * Whether an error is, or wraps, the browser refusing a write for lack of space. Dexie wraps the DOMException
 * (`inner`), a bulk write collects them (`failures`) and an aborted transaction carries the cause.
 */
export function isQuotaError(e: unknown, depth = 0): boolean {
	if (depth > 4 || typeof e !== 'object' || e === null) return false;
	const err = e as { name?: unknown; inner?: unknown; cause?: unknown; failures?: unknown };
	if (typeof err.name === 'string' && QUOTA_NAMES.has(err.name)) return true;
	if (isQuotaError(err.inner, depth + 1) || isQuotaError(err.cause, depth + 1)) return true;
	const failures = Array.isArray(err.failures)
		? err.failures
		: err.failures && typeof err.failures === 'object'
			? Object.values(err.failures)
			: [];
	return failures.some((f) => isQuotaError(f, depth + 1));
}

export function formatBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let v = n / 1024;
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return `${v.toFixed(1)} ${units[i]}`;
}

export interface StorageEstimateLike {
	usage?: number;
	quota?: number;
}

async function estimate(): Promise<StorageEstimateLike | null> {
	try {
		const storage = (globalThis.navigator as Navigator | undefined)?.storage;
		return storage?.estimate ? await storage.estimate() : null;
	} catch {
		return null;
	}
}

export function storageFullError(
	what: string,
	neededBytes: number,
	est: StorageEstimateLike | null,
	cause?: unknown
): TrackingError {
	const has = est?.usage != null && est.quota != null;
	const usage = has ? ` (this site uses ${formatBytes(est.usage!)} of ${formatBytes(est.quota!)})` : '';
	return new TrackingError(
		'StorageFull',
		`The browser is out of storage for this site: ${what} needs about ${formatBytes(neededBytes)}${usage}. ` +
			'Nothing was saved. Free space by deleting runs or datasets you no longer need, then try again.',
		{ neededBytes, usage: est?.usage ?? null, quota: est?.quota ?? null },
		{ cause }
	);
}

/** Run a write; a quota failure becomes a `StorageFull` error that says how much was needed. */
export async function guardStorage<T>(
	what: string,
	neededBytes: number,
	write: () => Promise<T>
): Promise<T> {
	try {
		return await write();
	} catch (e) {
		if (isQuotaError(e)) throw storageFullError(what, neededBytes, await estimate(), e);
		throw e;
	}
}
