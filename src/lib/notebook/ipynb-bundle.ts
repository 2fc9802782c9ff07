import type { DataError } from '$lib/data/types';
import { graphNodes, resultTable } from './cells';
import { toIpynb } from './ipynb';
import { datasetPath, type ExportedDataset } from './ipynb-sql';
import type { ChartCell, Notebook } from './schema';
import { zip, type ZipEntry } from './zip';

/**
 * The Jupyter export as one zip: `<name>/<name>.ipynb` with `<name>/data/<table>.csv` beside it for every
 * dataset the notebook reads, so the notebook's data cell finds its files once the folder is unpacked.
 * CSV (DuckDB's own COPY, read back by DuckDB's built-in read_csv) rather than Parquet: it opens anywhere,
 * and DuckDB reads it without an extension.
 */

export interface BundleSources {
	/** The table names of this browser's datasets. */
	datasets: readonly string[];
	ensureAttached: (names: string[]) => Promise<DataError | null>;
	exportCsv: (table: string) => Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: DataError }>;
	/** A chart cell's image as PNG, or null when it has not been drawn in this tab. */
	chartPng: (cell: ChartCell) => Promise<Uint8Array | null>;
}

export type BundleResult = { ok: true; blob: Blob; fileName: string } | { ok: false; message: string };

/** The datasets the notebook's cells read, by their own names; a name a cell result takes over is not one. */
export function datasetsRead(nb: Notebook, datasets: readonly string[]): string[] {
	const defined = new Set(nb.cells.map((c) => resultTable(c)?.toLowerCase()));
	const used = new Set(graphNodes(nb).flatMap((n) => n.uses.map((u) => u.toLowerCase())));
	return datasets.filter((d) => used.has(d.toLowerCase()) && !defined.has(d.toLowerCase()));
}

/** A file and folder name from the title: letters, digits, `-` and `_`. */
export function exportBaseName(title: string): string {
	return title.replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'notebook';
}

export function toBase64(bytes: Uint8Array): string {
	let text = '';
	for (let i = 0; i < bytes.length; i += 0x8000) {
		text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	return btoa(text);
}

export async function ipynbBundle(nb: Notebook, src: BundleSources): Promise<BundleResult> {
	const base = exportBaseName(nb.title);
	const names = datasetsRead(nb, src.datasets);
	const attachError = await src.ensureAttached(names);
	if (attachError) return { ok: false, message: `Export failed: ${attachError.message}` };
	const entries: ZipEntry[] = [];
	const datasets: ExportedDataset[] = [];
	for (const name of names) {
		const res = await src.exportCsv(name);
		if (!res.ok) return { ok: false, message: `Export failed: dataset ${name}: ${res.error.message}` };
		datasets.push({ name, path: datasetPath(name) });
		entries.push({ name: `${base}/${datasetPath(name)}`, data: res.bytes });
	}
	const charts: Record<string, string> = {};
	for (const cell of nb.cells) {
		if (cell.kind !== 'chart') continue;
		const png = await src.chartPng(cell);
		if (png) charts[cell.id] = toBase64(png);
	}
	const ipynb = JSON.stringify(toIpynb(nb, { datasets, charts }), null, 1) + '\n';
	entries.unshift({ name: `${base}/${base}.ipynb`, data: new TextEncoder().encode(ipynb) });
	try {
		return { ok: true, blob: zip(entries), fileName: `${base}.zip` };
	} catch (e) {
		return { ok: false, message: `Export failed: ${e instanceof Error ? e.message : String(e)}` };
	}
}
