/**
 * Why a run did not train where it was asked to, in words: "wasm could not run this model (no kernel for
 * Conv2DBackpropFilter); trained on cpu instead". The raw errors stay in the run's backend reason; this is the
 * sentence the cell shows. Pure, no TF.js import.
 *
 * The case that happens for real: tfjs-backend-wasm 4.22 registers Conv2D and Conv2DBackpropInput but not
 * Conv2DBackpropFilter, so a CNN's forward pass runs on wasm and its first training step throws
 * "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" (tests/train/wasm-kernels.test.ts).
 */
import type { Backend } from '../../ml/types';

/** A backend that could not be used for this run, and TF.js's own words for why. */
export interface BackendFailure {
	backend: Backend;
	error: string;
	/** Set when it failed in the middle of training rather than when starting or in the measured trial. */
	duringTraining?: boolean;
}

const KERNEL = /Kernel '([^']+)' not registered for backend '([^']+)'/;
const MAX_ERROR = 160;

/** The missing kernel's name when `error` is TF.js's "not registered" error, else null. */
export function missingKernel(error: string): string | null {
	return KERNEL.exec(error)?.[1] ?? null;
}

function short(error: string): string {
	const text = error.replace(/^Error: /, '').trim();
	return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text;
}

/** One failure as a clause: "wasm could not run this model (no kernel for X)". */
export function failureClause(f: BackendFailure): string {
	const kernel = missingKernel(f.error);
	if (kernel) return `${f.backend} could not run this model (no kernel for ${kernel})`;
	if (/device lost/i.test(f.error)) return `${f.backend} stopped working during training (${short(f.error)})`;
	if (f.duringTraining) return `${f.backend} failed while training this model (${short(f.error)})`;
	return `${f.backend} could not be used here (${short(f.error)})`;
}

/** Failures worth telling: a software WebGPU adapter skipped by design is not one. */
export function realFailures(failures: BackendFailure[]): BackendFailure[] {
	const seen = new Set<string>();
	return failures.filter((f) => {
		if (f.error.startsWith('skipped:')) return false;
		const key = `${f.backend}|${missingKernel(f.error) ?? f.error}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/**
 * The sentence for a run: empty when nothing failed; otherwise each failed backend's clause and where it trained
 * instead. A backend that failed and then worked again later (rare) is not reported as a fallback.
 */
export function backendNote(o: { used: Backend; failures: BackendFailure[] }): string {
	const failed = realFailures(o.failures).filter((f) => f.backend !== o.used);
	if (failed.length === 0) return '';
	return `${failed.map(failureClause).join('; ')}; trained on ${o.used} instead`;
}
