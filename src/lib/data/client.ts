import { wrap, type Remote } from 'comlink';
import type { DataApi } from './data.worker';
import { cancelGraceMs } from './cancel-grace';

let jobs = 0;
/** Number each load and query, so a cancel stops that one and never a later one. */
export function nextJob(): number {
	return ++jobs;
}

/** One data worker and the promise that rejects when it is terminated, so no call waits on it forever. */
interface Engine {
	worker: Worker;
	remote: Remote<DataApi>;
	lost: Promise<never>;
	lose: (e: Error) => void;
}

let current: Engine | null = null;
let generation = 0;
/** Calls that carry a job number (loads, queries), while they are in flight: what a cancel waits on. */
const inflight = new Map<number, Promise<unknown>>();
const restartListeners = new Set<() => void>();

function start(): Engine {
	const worker = new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' });
	let lose!: (e: Error) => void;
	const lost = new Promise<never>((_, reject) => (lose = reject));
	lost.catch(() => undefined); // rejected only to end the calls racing it
	return { worker, remote: wrap<DataApi>(worker), lost, lose };
}

function jobOf(arg: unknown): number | null {
	const job = (arg as { job?: unknown } | null)?.job;
	return typeof job === 'number' ? job : null;
}

/**
 * The data worker of this tab, created on first use so the first page never loads DuckDB. Every call races the
 * worker's loss: after a restart the calls it had taken reject with `EngineRestarted` instead of hanging.
 */
const api = new Proxy({} as Remote<DataApi>, {
	get(_, method) {
		// Not a thenable: an async function may return this object.
		if (method === 'then') return undefined;
		return (...args: unknown[]) => {
			current ??= start();
			const { remote, lost } = current;
			const send = (remote as unknown as Record<PropertyKey, (...a: unknown[]) => Promise<unknown>>)[method];
			const call = Promise.race([send(...args), lost]);
			const job = jobOf(args[0]);
			if (job !== null) {
				inflight.set(job, call);
				const done = () => {
					if (inflight.get(job) === call) inflight.delete(job);
				};
				call.then(done, done);
			}
			return call;
		};
	}
});

export function dataApi(): Remote<DataApi> {
	return api;
}

/** Bumped on every restart: what was attached to an older engine is gone. */
export function engineGeneration(): number {
	return generation;
}

/** Called after each restart (tables and datasets are gone); returns the unsubscribe. */
export function onEngineRestart(listener: () => void): () => void {
	restartListeners.add(listener);
	return () => restartListeners.delete(listener);
}

/**
 * Terminate the data worker (DuckDB runs in it, and goes with it) and start a fresh one. Every call it had taken
 * rejects with `reason`; datasets are re-attached from IndexedDB when a cell next reads them.
 */
function restart(old: Engine, reason: string): void {
	if (current !== old) return; // restarted already (two cancels racing)
	current = null;
	generation++;
	old.worker.terminate();
	for (const listener of restartListeners) listener();
	const e = new Error(reason);
	e.name = 'EngineRestarted';
	old.lose(e);
	// Fetching and compiling DuckDB takes seconds: start now, not at the next query.
	void api.warm();
}

/**
 * Stop a job within a bounded time (docs/architecture.md, "Cancel"): interrupt it first; when its call has not
 * ended after the grace period, restart the engine. Says which of the two ended it.
 */
export async function cancelJob(job: number, graceMs = cancelGraceMs()): Promise<'stopped' | 'restarted'> {
	const engine = current;
	if (!engine) return 'stopped';
	// Not awaited: the worker answers the cancel only when it is free to, which is the problem being solved.
	engine.remote.cancel(job).catch(() => undefined);
	const running = inflight.get(job);
	if (!running) return 'stopped';
	let timer: ReturnType<typeof setTimeout> | undefined;
	const ended = await Promise.race([
		running.then(
			() => true,
			() => true
		),
		new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))
	]);
	clearTimeout(timer);
	if (ended) return 'stopped';
	restart(
		engine,
		`The SQL engine did not stop within ${formatMs(graceMs)} of Cancel, so it was restarted. Datasets are ` +
			'attached again from this browser when a cell reads them; named results are made again by their cells ' +
			'(a cell that reads one runs it first).'
	);
	return 'restarted';
}

function formatMs(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
