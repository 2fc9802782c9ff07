import type { Outcome } from '$lib/notebook/execute';

/** A cell's expected failure, as the notebook shows it: an error name and a message that names what is wrong. */
export function fail(name: string, message: string): Outcome {
	return { ok: false, output: { kind: 'error', name, message } };
}

/** 'target-has-missing' → 'TargetHasMissing': the data checks' codes in the style of every other cell error. */
export const pascal = (code: string) => code.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
