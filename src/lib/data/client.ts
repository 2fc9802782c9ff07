import { wrap, type Remote } from 'comlink';
import type { DataApi } from './data.worker';

let remote: Remote<DataApi> | null = null;

let jobs = 0;
/** Number each load and query, so a cancel stops that one and never a later one. */
export function nextJob(): number {
	return ++jobs;
}

/** The one data worker of this tab, created on first use so the first page never loads DuckDB. */
export function dataApi(): Remote<DataApi> {
	remote ??= wrap<DataApi>(
		new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' })
	);
	return remote;
}
