import { TrackingError } from './errors';

/**
 * MLflow's rules for keys and values, checked before anything is written so a run logged here can later be
 * synced to the registry (and read by MLflow clients) without being refused there.
 */

export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;

/** MLflow's `^[/\w.\- :]*$`, with \w as Python reads it (Unicode letters and digits). */
const KEY_CHARS = /^[\p{L}\p{N}_/.\- :]+$/u;

export type ParamValue = string | number | boolean;

/** Keys double as paths in MLflow: `a//b`, `/a`, `a/../b` would not survive as themselves. */
function pathProblem(key: string): string | null {
	if (key.startsWith('/') || key.endsWith('/')) return 'cannot start or end with "/"';
	if (key.split('/').some((part) => part === '' || part === '.' || part === '..'))
		return 'cannot contain empty, "." or ".." path segments';
	return null;
}

export function checkKey(kind: 'param' | 'tag' | 'metric', key: string): void {
	const problem =
		key.length === 0
			? 'is empty'
			: key.length > MAX_KEY_LENGTH
				? `is longer than ${MAX_KEY_LENGTH} characters`
				: !KEY_CHARS.test(key)
					? 'may only contain letters, digits, _ - . / : and spaces'
					: pathProblem(key);
	if (problem)
		throw new TrackingError('InvalidKey', `The ${kind} name ${JSON.stringify(key)} ${problem}.`, {
			kind,
			key
		});
}

/** Params are strings (MLflow); numbers and booleans are accepted and written as `String(value)`. */
export function paramText(key: string, value: ParamValue): string {
	if (typeof value === 'number' && !Number.isFinite(value))
		throw new TrackingError(
			'InvalidValue',
			`The param "${key}" is ${value}; params must be finite numbers or text.`
		);
	const text = String(value);
	if (text.length > MAX_PARAM_VALUE_LENGTH)
		throw new TrackingError(
			'InvalidValue',
			`The param "${key}" is ${text.length} characters long; the limit is ${MAX_PARAM_VALUE_LENGTH}.`
		);
	return text;
}

export function checkParams(params: Record<string, ParamValue>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(params)) {
		checkKey('param', key);
		out[key] = paramText(key, value);
	}
	return out;
}

export function checkTags(tags: Record<string, string | null>): Record<string, string | null> {
	for (const [key, value] of Object.entries(tags)) {
		checkKey('tag', key);
		if (value != null && value.length > MAX_TAG_VALUE_LENGTH)
			throw new TrackingError(
				'InvalidValue',
				`The tag "${key}" is ${value.length} characters long; the limit is ${MAX_TAG_VALUE_LENGTH}.`
			);
	}
	return tags;
}

/** Artifact names are relative paths inside the run (`model.json`, `plots/roc.json`). */
export function checkArtifactName(name: string): void {
	// eslint-disable-next-line no-control-regex
	const control = /[\u0000-\u001f\u007f\\]/;
	const problem =
		name.length === 0
			? 'is empty'
			: name.length > MAX_KEY_LENGTH
				? `is longer than ${MAX_KEY_LENGTH} characters`
				: control.test(name)
					? 'contains a control character or a backslash'
					: pathProblem(name);
	if (problem) throw new TrackingError('InvalidKey', `The artifact name ${JSON.stringify(name)} ${problem}.`);
}
