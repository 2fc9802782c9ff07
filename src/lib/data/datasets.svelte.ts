import { proxy } from 'comlink';
import { cancelJob, dataApi, engineGeneration, nextJob } from './client';
import { tableNameFromFile } from './file-kind';
import type { DataError, DatasetMeta, LoadProgress } from './types';
import {
	listDatasets,
	saveDataset,
	datasetBlob,
	removeDataset,
	sweepDatasetFiles
} from '$lib/tracking/datasets';
import { waitUnlessAborted } from './abortable';
import { newId } from '$lib/tracking/ids';
import type { Sample } from './samples';

export interface LoadState {
	fileName: string;
	progress: LoadProgress | null;
}

/** A dataset being attached to this tab's DuckDB (or attached already): its outcome, and how to stop it. */
interface Attach {
	done: Promise<void>;
	/** Stops the attach within the cancel grace period (docs/architecture.md, "Cancel") and says how. */
	cancel: () => Promise<'stopped' | 'restarted'>;
}

const ATTACHED: Attach = { done: Promise.resolve(), cancel: async () => 'stopped' };

/**
 * The datasets of this browser and which of them are attached to this tab's DuckDB. Files live in IndexedDB (large
 * ones in OPFS); a dataset is attached lazily, the first time a cell needs it, so opening a notebook stays fast.
 */
export class Datasets {
	list = $state.raw<DatasetMeta[]>([]);
	loading = $state<LoadState | null>(null);
	lastError = $state<DataError | null>(null);
	#loadJob = 0;
	#loadCancelled = false;
	#attached = new Map<string, Attach>();
	/** Datasets being attached now, by name: a cell waiting on a large one says why it waits. */
	attaching = $state.raw<string[]>([]);
	/** The engine the attached tables live in; a restarted engine has none of them. */
	#generation = engineGeneration();
	#swept = false;

	async refresh(): Promise<void> {
		this.list = await listDatasets();
		// Off the opening's path: leftovers of an interrupted save cost disk, not correctness.
		if (!this.#swept) {
			this.#swept = true;
			void sweepDatasetFiles().catch(() => undefined);
		}
	}

	names(): string[] {
		return this.list.map((d) => d.name);
	}

	async addFile(file: File): Promise<DatasetMeta | null> {
		return this.#add({ blob: file, fileName: file.name, store: true });
	}

	async addSample(sample: Sample): Promise<DatasetMeta | null> {
		const existing = this.list.find((d) => d.sampleUrl === sample.url);
		if (existing) return existing;
		const res = await fetch(sample.url);
		if (!res.ok) {
			this.lastError = {
				name: 'SampleUnavailable',
				message: `Sample ${sample.fileName} could not be fetched (${res.status}).`
			};
			return null;
		}
		return this.#add({
			blob: await res.blob(),
			fileName: sample.fileName,
			store: false,
			sampleUrl: sample.url,
			name: sample.id
		});
	}

	async #add(opts: { blob: Blob; fileName: string; store: boolean; sampleUrl?: string; name?: string }) {
		if (this.loading) {
			this.lastError = {
				name: 'Busy',
				message: `Still loading ${this.loading.fileName}; wait or cancel it first.`
			};
			return null;
		}
		this.lastError = null;
		const table = tableNameFromFile(opts.name ?? opts.fileName, this.names());
		this.loading = { fileName: opts.fileName, progress: null };
		this.#loadJob = nextJob();
		this.#loadCancelled = false;
		try {
			const res = await dataApi().load(
				{ file: opts.blob, fileName: opts.fileName, table, job: this.#loadJob },
				proxy((p: LoadProgress) => {
					if (this.loading) this.loading = { ...this.loading, progress: p };
				})
			);
			if (!res.ok) {
				// A cancel is what the user asked for, not an error to show.
				if (res.error.name !== 'Cancelled') this.lastError = res.error;
				return null;
			}
			const meta: DatasetMeta = {
				id: newId('ds'),
				name: table,
				fileName: opts.fileName,
				format: res.format,
				bytes: opts.blob.size,
				fingerprint: res.fingerprint,
				addedAt: Date.now(),
				...(opts.sampleUrl ? { sampleUrl: opts.sampleUrl } : {}),
				...(res.notes.length ? { notes: res.notes } : {})
			};
			const generation = engineGeneration();
			const saved = await saveDataset(meta, opts.store ? opts.blob : null);
			this.#forgetRestarted();
			if (generation === this.#generation) this.#attached.set(table, ATTACHED);
			this.list = [...this.list, saved];
			return saved;
		} catch (e) {
			// A cancel that had to restart the engine ends the load's call: what the user asked for, not an error.
			if (this.#loadCancelled && e instanceof Error && e.name === 'EngineRestarted') return null;
			// Not an expected failure (those come back as values): still say what happened, in place.
			this.lastError = {
				name: 'LoadFailed',
				message: `${opts.fileName}: ${e instanceof Error ? e.message : String(e)}`
			};
			return null;
		} finally {
			this.loading = null;
		}
	}

	/** A load that does not stop in time restarts the engine, like a query (docs/architecture.md, "Cancel"). */
	async cancelLoad(): Promise<void> {
		this.#loadCancelled = true;
		await cancelJob(this.#loadJob);
	}

	/**
	 * Attach the named datasets (those not yet in this tab's DuckDB) from their stored files. A `signal` that aborts
	 * (the cell's Cancel) stops the attach under way and ends the wait within the cancel grace period: the dataset
	 * is left detached and is attached again when a cell next reads it.
	 */
	async ensureAttached(names: string[], opts: { signal?: AbortSignal } = {}): Promise<DataError | null> {
		this.#forgetRestarted();
		const wanted = this.list.filter((d) => names.some((n) => n.toLowerCase() === d.name.toLowerCase()));
		for (const d of wanted) {
			let attach = this.#attached.get(d.name);
			if (!attach) {
				attach = this.#attach(d);
				this.#attached.set(d.name, attach);
			}
			const ended = await waitUnlessAborted(attach.done, opts.signal);
			if (ended === 'aborted') {
				const how = await attach.cancel();
				return {
					name: 'Cancelled',
					message:
						`Cancelled while dataset ${d.name} was being attached; it is attached again when a cell next reads it.` +
						(how === 'restarted' ? ' The SQL engine did not stop in time, so it was restarted.' : '')
				};
			}
			if (!ended.ok) {
				const e = ended.error;
				return { name: 'AttachError', message: e instanceof Error ? e.message : String(e) };
			}
		}
		return null;
	}

	/** After an engine restart nothing is attached any more: attach again on demand. */
	#forgetRestarted(): void {
		if (this.#generation === engineGeneration()) return;
		this.#generation = engineGeneration();
		this.#attached.clear();
	}

	#attach(d: DatasetMeta): Attach {
		const job = nextJob();
		const stop = new AbortController();
		this.attaching = [...this.attaching, d.name];
		const done = (async () => {
			const blob = d.sampleUrl
				? await (await fetch(d.sampleUrl, { signal: stop.signal })).blob()
				: await datasetBlob(d);
			// Cancelled while the file was read from storage: the load is never sent.
			if (stop.signal.aborted) throw new Error(`${d.name}: cancelled before it was attached.`);
			if (!blob) throw new Error(`The file of dataset ${d.name} is missing from this browser's storage.`);
			const res = await dataApi().load({ file: blob, fileName: d.fileName, table: d.name, job });
			if (!res.ok) throw new Error(`${d.name}: ${res.error.message}`);
			if (res.fingerprint.sha256 !== d.fingerprint.sha256) {
				throw new Error(
					`${d.name}: the stored file no longer matches its fingerprint; remove it and add it again.`
				);
			}
		})();
		const attach: Attach = {
			done,
			cancel: async () => {
				stop.abort();
				// Interrupts the load, or restarts the engine when the load does not stop within the grace period;
				// either way the load's call has ended when this returns.
				const how = await cancelJob(job);
				await done.catch(() => undefined);
				return how;
			}
		};
		// A failed or cancelled attach is forgotten, so the next cell that reads the dataset tries again; one that
		// completed before its cancel landed stays attached.
		const settled = () => {
			const i = this.attaching.indexOf(d.name);
			this.attaching = this.attaching.filter((_, j) => j !== i);
		};
		done.then(settled, () => {
			settled();
			if (this.#attached.get(d.name) === attach) this.#attached.delete(d.name);
		});
		return attach;
	}

	async remove(id: string): Promise<void> {
		const d = this.list.find((x) => x.id === id);
		if (!d) return;
		await dataApi().drop({ table: d.name });
		await removeDataset(id);
		this.#attached.delete(d.name);
		this.list = this.list.filter((x) => x.id !== id);
	}
}
