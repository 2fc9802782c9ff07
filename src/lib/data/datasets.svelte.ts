import { proxy } from 'comlink';
import { cancelJob, dataApi, engineGeneration, nextJob } from './client';
import { tableNameFromFile } from './file-kind';
import type { DataError, DatasetMeta, LoadProgress } from './types';
import { listDatasets, saveDataset, datasetBlob, removeDataset } from '$lib/tracking/datasets';
import { newId } from '$lib/tracking/ids';
import type { Sample } from './samples';

export interface LoadState {
	fileName: string;
	progress: LoadProgress | null;
}

/**
 * The datasets of this browser and which of them are attached to this tab's DuckDB. Files live in IndexedDB;
 * a dataset is attached lazily, the first time a cell needs it, so opening a notebook stays fast.
 */
export class Datasets {
	list = $state.raw<DatasetMeta[]>([]);
	loading = $state<LoadState | null>(null);
	lastError = $state<DataError | null>(null);
	#loadJob = 0;
	#loadCancelled = false;
	#attached = new Map<string, Promise<void>>();
	/** The engine the attached tables live in; a restarted engine has none of them. */
	#generation = engineGeneration();

	async refresh(): Promise<void> {
		this.list = await listDatasets();
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
			await saveDataset(meta, opts.store ? opts.blob : null);
			this.#forgetRestarted();
			if (generation === this.#generation) this.#attached.set(table, Promise.resolve());
			this.list = [...this.list, meta];
			return meta;
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

	/** Attach the named datasets (those not yet in this tab's DuckDB) from their stored files. */
	async ensureAttached(names: string[]): Promise<DataError | null> {
		this.#forgetRestarted();
		const wanted = this.list.filter((d) => names.some((n) => n.toLowerCase() === d.name.toLowerCase()));
		for (const d of wanted) {
			let pending = this.#attached.get(d.name);
			if (!pending) {
				pending = this.#attach(d);
				this.#attached.set(d.name, pending);
			}
			try {
				await pending;
			} catch (e) {
				this.#attached.delete(d.name);
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

	async #attach(d: DatasetMeta): Promise<void> {
		const blob = d.sampleUrl ? await (await fetch(d.sampleUrl)).blob() : await datasetBlob(d.id);
		if (!blob) throw new Error(`The file of dataset ${d.name} is missing from this browser's storage.`);
		const res = await dataApi().load({ file: blob, fileName: d.fileName, table: d.name, job: nextJob() });
		if (!res.ok) throw new Error(`${d.name}: ${res.error.message}`);
		if (res.fingerprint.sha256 !== d.fingerprint.sha256) {
			throw new Error(
				`${d.name}: the stored file no longer matches its fingerprint; remove it and add it again.`
			);
		}
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
