import { SvelteMap } from 'svelte/reactivity';
import { tableName, type Cell, type CellError, type CellKind, type ChartSpec, type Notebook } from './schema';
import { graphNodes, newCell, resultTable } from './cells';
import { runOrder, upstream, dependents } from './graph';
import { idleRuntime, type CellRuntime } from './runtime';
import { executeCell, type CellContext, type Outcome } from './execute';
import type { TrainProgress } from '$lib/ml/types';
import { saveNotebook } from '$lib/tracking/notebooks';
import { nextJob } from '$lib/data/client';
import { orphanedBy } from './orphans';
import { CellHistory, undoEdit } from './cell-history.svelte';
import type { BundleResult } from './ipynb-bundle';
import type { JsonCell } from '$lib/data/rows';
import type { ChartData } from '$lib/data/types';

const AUTOSAVE_MS = 250;

/**
 * An open notebook: the document (autosaved to IndexedDB as the user types) and each cell's runtime state.
 * Every run goes through `run*` here — the scheduler — never from a component straight to a worker.
 */
export class OpenNotebook {
	doc = $state() as Notebook;
	runtime = new SvelteMap<string, CellRuntime>();
	saveError = $state<string | null>(null);
	/** Deletes and moves, for undo (the toast and Ctrl/Cmd+Z). */
	history = new CellHistory();
	#timer: ReturnType<typeof setTimeout> | null = null;
	#ctx: CellContext;
	#queue: Promise<void> = Promise.resolve();
	#pending = 0;
	#job = 0;
	/** The cell running now, and whether Cancel was pressed for it. */
	#running: string | null = null;
	#cancelRequested = false;
	/** Aborted by Cancel on the running cell: ends its waits that are not engine calls (a dataset's attach). */
	#abort: AbortController | null = null;
	/** Queued cells the user cancelled before their turn: skipped when it comes. */
	#dropped = new Set<string>();
	#unsubscribe: () => void;

	constructor(nb: Notebook, ctx: CellContext) {
		this.doc = nb;
		this.#ctx = ctx;
		for (const c of nb.cells) this.runtime.set(c.id, idleRuntime());
		this.#unsubscribe = ctx.onEngineRestart?.(() => this.#engineRestarted()) ?? (() => undefined);
	}

	/** The page is closing this notebook. */
	close(): void {
		this.#unsubscribe();
	}

	/**
	 * A restarted engine has none of the cells' tables: they are no longer live, so a cell that reads one runs it
	 * again first (as after a reload); their previews stay on screen.
	 */
	#engineRestarted(): void {
		for (const [id, rt] of this.runtime) if (rt.live) this.runtime.set(id, { ...rt, live: false });
	}

	/** Cells waiting behind a running one say so at once, not only when their turn comes. */
	#markQueued(ids: string[]): void {
		for (const id of ids) {
			this.#dropped.delete(id);
			if (id !== this.#running) this.#patchRt(id, { status: 'queued' });
		}
	}

	rt(id: string): CellRuntime {
		return this.runtime.get(id) ?? idleRuntime();
	}

	#patchRt(id: string, patch: Partial<CellRuntime>): void {
		this.runtime.set(id, { ...this.rt(id), ...patch });
	}

	/** Record a change and save soon; many keystrokes make one write. */
	touch(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.flush(), AUTOSAVE_MS);
	}

	async flush(): Promise<void> {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		try {
			await saveNotebook($state.snapshot(this.doc) as Notebook);
			this.saveError = null;
		} catch (e) {
			this.saveError = `Not saved: ${e instanceof Error ? e.message : String(e)}`;
		}
	}

	cell(id: string): Cell | undefined {
		return this.doc.cells.find((c) => c.id === id);
	}

	addCell(kind: CellKind, afterId?: string): Cell {
		const cell = newCell(kind, this.doc);
		const at = afterId ? this.doc.cells.findIndex((c) => c.id === afterId) + 1 : this.doc.cells.length;
		this.doc.cells.splice(at, 0, cell);
		this.runtime.set(cell.id, idleRuntime());
		this.touch();
		return cell;
	}

	moveCell(id: string, delta: -1 | 1, record = true): void {
		const i = this.doc.cells.findIndex((c) => c.id === id);
		const j = i + delta;
		if (i < 0 || j < 0 || j >= this.doc.cells.length) return;
		if (record)
			this.history.push({
				kind: 'move',
				id,
				delta,
				message: `Moved ${this.#label(id)} ${delta < 0 ? 'up' : 'down'}`
			});
		const [cell] = this.doc.cells.splice(i, 1);
		this.doc.cells.splice(j, 0, cell);
		this.touch();
	}

	/** Delete a cell and what it defined (as marimo does): its tables, and the results of the cells reading them. */
	deleteCell(id: string): void {
		const i = this.doc.cells.findIndex((c) => c.id === id);
		if (i < 0) return;
		this.#orphan(id, 'was defined by a deleted cell', ' Undo the delete (Ctrl/Cmd+Z) or change this cell.');
		const cell = $state.snapshot(this.doc.cells[i]) as Cell;
		this.history.push({ kind: 'delete', cell, index: i, message: `Deleted ${this.#label(id)}` });
		this.doc.cells.splice(i, 1);
		this.runtime.delete(id);
		this.touch();
	}

	/**
	 * Before `id` stops defining its tables: they leave DuckDB (in the run queue, after any run in flight), and
	 * the cells that read them are marked as needing a re-run, so this tab never shows a ghost of a table that
	 * a reload would not have.
	 */
	#orphan(id: string, reason: string, hint: string): void {
		const { dropped, readers } = orphanedBy(graphNodes(this.doc), id, (r) => this.cell(r)?.kind === 'train');
		for (const r of readers) {
			this.#fail(r.id, {
				kind: 'error',
				name: 'MissingTable',
				message: r.direct
					? `Needs re-run: ${r.missing} ${reason}.${hint}`
					: `Needs re-run: its input came from ${r.missing}, which ${reason}.`
			});
			this.#patchRt(r.id, { chart: null });
		}
		if (dropped.length === 0) return;
		// DROP … IF EXISTS fails only when the data worker itself is gone, and then so are its tables.
		void this.#enqueue(async () => {
			for (const table of dropped) await this.#ctx.api().drop({ table });
		}).catch(() => undefined);
	}

	/** Take back the last delete or move; a note when the restored cell had to take a new name. */
	undo(): string | null {
		const edit = this.history.pop();
		return edit ? undoEdit(this, edit) : null;
	}

	/**
	 * Name a SQL cell's result. Refused (with the reason) when the name is not an identifier or is taken by a
	 * dataset or another cell, so the document never holds two definitions of one table.
	 */
	renameResult(id: string, name: string, datasetNames: string[]): string | null {
		const cell = this.cell(id);
		if (!cell || (cell.kind !== 'sql' && cell.kind !== 'predict'))
			return 'Only SQL and predict cells have a result name.';
		if (name !== '' && !tableName.safeParse(name).success) {
			return `"${name}" is not a valid table name: use letters, digits and _, not starting with a digit.`;
		}
		const lower = name.toLowerCase();
		if (name && datasetNames.some((d) => d.toLowerCase() === lower))
			return `"${name}" is already a dataset's table.`;
		const other = this.doc.cells.find(
			(c) =>
				c.id !== id && (c.kind === 'sql' || c.kind === 'predict') && c.name.toLowerCase() === lower && name
		);
		if (other) return `"${name}" is already the result of another cell.`;
		if (cell.name.toLowerCase() !== lower) {
			// The old name goes like a deleted cell's; a result the cell had is made again under the new one.
			const shown = name || 'an unnamed result';
			this.#orphan(id, `was renamed to ${shown}`, name ? ` Change this cell to read ${name}.` : '');
			if (cell.output?.kind === 'table') void this.runCell(id);
		}
		cell.name = name;
		this.#patchRt(id, { live: false });
		this.touch();
		return null;
	}

	/** Run one cell, first any upstream cell whose table this tab does not have yet, then its dependents. */
	runCell(id: string): Promise<void> {
		this.#markQueued([id]);
		return this.#enqueue(async () => {
			if (this.#dropped.delete(id)) return;
			const nodes = graphNodes(this.doc);
			const up = upstream(nodes, id).filter((u) => !this.#satisfied(u));
			// Training is expensive: a changed query does not retrain by itself (nor re-score what trains feed).
			const down = dependents(nodes, id);
			const manual = new Set(
				down.filter((d) => this.cell(d)?.kind === 'train').flatMap((t) => [t, ...dependents(nodes, t)])
			);
			await this.#runSequence([...up, id, ...down.filter((d) => !manual.has(d))]);
		});
	}

	/** Whether a cell's product is there for the cells that read it: a live table, or a finished run. */
	#satisfied(id: string): boolean {
		const cell = this.cell(id);
		if (cell?.kind === 'train') return cell.output?.kind === 'run' && cell.output.status === 'finished';
		return this.rt(id).live;
	}

	runAll(): Promise<void> {
		this.#markQueued(this.doc.cells.map((c) => c.id));
		return this.#enqueue(async () => {
			await this.#runSequence(this.doc.cells.map((c) => c.id));
		});
	}

	/**
	 * Cancel a cell: a queued one is taken out of the queue; the running one is stopped (the cells after it in
	 * this run are then not run: their input is missing).
	 */
	async cancel(id?: string): Promise<void> {
		if (id && id !== this.#running) {
			if (this.rt(id).status !== 'queued') return;
			this.#dropped.add(id);
			this.#patchRt(id, { status: 'cancelled' });
			return;
		}
		this.#cancelRequested = true;
		this.#abort?.abort();
		await this.#ctx.cancel(this.#job);
	}

	async profile(id: string): Promise<void> {
		const cell = this.cell(id);
		if (cell?.kind !== 'sql' || cell.output?.kind !== 'table') return;
		this.#patchRt(id, { profile: { state: 'loading' } });
		// A restarted engine rejects the call: say so rather than profile forever.
		const res = await this.#ctx
			.api()
			.profile({ table: cell.output.table })
			.catch((e) => ({
				ok: false as const,
				error: { name: 'EngineRestarted', message: String(e?.message ?? e) }
			}));
		this.#patchRt(id, {
			profile: res.ok ? { state: 'ready', profile: res.profile } : { state: 'error', error: res.error }
		});
	}

	/**
	 * A window of a cell's result table, for the grid. The notebook makes every worker call, so views only ask
	 * it; a table the engine no longer has (restarted, dropped) gives an empty window, never a broken grid.
	 */
	async rows(table: string, offset: number, limit: number): Promise<JsonCell[][]> {
		const res = await this.#ctx
			.api()
			.rows({ table, offset, limit })
			.catch(() => null);
		return res?.ok ? res.rows : [];
	}

	/** A result table's bytes; a call the engine was restarted under rejects, and says so like any failure. */
	async exportTable(
		table: string,
		format: 'csv' | 'parquet'
	): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
		const res = await this.#ctx
			.api()
			.exportTable({ table, format })
			.catch((e: Error) => ({ ok: false as const, error: { message: e.message } }));
		return res.ok
			? { ok: true, bytes: res.bytes }
			: { ok: false, message: `Export failed: ${res.error.message}` };
	}

	/**
	 * The Jupyter zip (ipynb-bundle.ts) of this notebook. A chart not drawn in this tab (say, after a reload) is
	 * drawn first, through the scheduler; `png` rasterises it (a DOM job, so the view passes it in).
	 */
	async ipynb(
		datasets: readonly string[],
		png: (spec: ChartSpec, data: ChartData) => Promise<Uint8Array | null>
	): Promise<BundleResult> {
		const doc = $state.snapshot(this.doc) as Notebook;
		// The exporter (Jupyter conversion, zip) loads on the first export: no part of the first page
		// (docs/architecture.md, "The first page").
		const { ipynbBundle } = await import('./ipynb-bundle');
		return ipynbBundle(doc, {
			datasets,
			ensureAttached: (names) => this.#ctx.ensureAttached(names),
			exportCsv: (table) => this.#ctx.api().exportTable({ table, format: 'csv' }),
			chartPng: async (cell) => {
				if (!this.rt(cell.id).chart && cell.spec.source && cell.spec.x) await this.runCell(cell.id);
				const data = this.rt(cell.id).chart;
				return data ? png(cell.spec, data).catch(() => null) : null;
			}
		});
	}

	#enqueue(fn: () => Promise<void>): Promise<void> {
		this.#pending++;
		const next = this.#queue.then(fn).finally(() => {
			// Nothing waits any more: a cancel of a queued cell applies to the runs queued at the time only.
			if (--this.#pending === 0) this.#dropped.clear();
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/** Run the given cells in dependency order; cycles and failed inputs are reported on the cells, not looped on. */
	async #runSequence(ids: string[]): Promise<void> {
		const nodes = graphNodes(this.doc);
		const { order, cycles, blocked } = runOrder(nodes, ids);
		const inCycle = new Set(cycles.flat());
		for (const cycle of cycles) {
			const names = cycle.map((cid) => this.#label(cid));
			for (const cid of cycle) {
				this.#fail(cid, {
					kind: 'error',
					name: 'CycleError',
					message: `These cells depend on each other in a cycle: ${[...names, names[0]].join(' → ')}.`
				});
			}
		}
		for (const cid of blocked) {
			this.#fail(cid, {
				kind: 'error',
				name: 'UpstreamError',
				message: 'Not run: a table this cell reads comes from cells that depend on each other in a cycle.'
			});
		}
		for (const cid of order) if (!inCycle.has(cid)) this.#patchRt(cid, { status: 'queued' });
		const failed = new Set<string>(inCycle);
		for (const cid of order) {
			const cell = this.cell(cid);
			if (!cell || inCycle.has(cid)) continue;
			if (this.#dropped.delete(cid)) {
				failed.add(cid);
				this.#patchRt(cid, { status: 'cancelled' });
				continue;
			}
			const needs = upstream(nodes, cid);
			// A cell it reads was deleted during this run: it is already marked as needing a re-run.
			if (needs.some((u) => !this.cell(u))) continue;
			const blocker = needs.find((u) => failed.has(u));
			if (blocker) {
				failed.add(cid);
				const why = this.rt(blocker).status === 'cancelled' ? 'was cancelled' : 'failed';
				this.#fail(cid, {
					kind: 'error',
					name: 'UpstreamError',
					message: `Not run: ${this.#label(blocker)}, which this cell reads, ${why}.`
				});
				continue;
			}
			this.#patchRt(cid, { status: 'running' });
			this.#running = cid;
			this.#cancelRequested = false;
			this.#job = nextJob();
			this.#abort = new AbortController();
			if (cell.kind === 'train') {
				this.#patchRt(cid, {
					training: { epochs: [], batch: null, backend: null, trial: null, startedAt: Date.now() }
				});
			}
			const onProgress = (p: TrainProgress) => this.#onTrainProgress(cid, p);
			const outcome = await executeCell(cell, this.#ctx, {
				job: this.#job,
				signal: this.#abort.signal,
				onProgress
			})
				.catch((e): Outcome => ({ ok: false, output: thrown(e, this.#cancelRequested) }))
				.finally(() => {
					this.#running = null;
					this.#abort = null;
				});
			if (!this.cell(cid)) continue; // deleted while running
			if (cell.kind !== 'markdown') cell.output = outcome.output as never;
			if (outcome.ok) {
				this.#patchRt(cid, {
					status: 'done',
					live: outcome.live,
					generation: this.rt(cid).generation + 1,
					chart: outcome.chart ?? null,
					profile: null
				});
			} else {
				failed.add(cid);
				this.#patchRt(cid, {
					status: outcome.output?.name === 'Cancelled' ? 'cancelled' : 'error',
					live: false,
					chart: null
				});
			}
			this.touch();
		}
	}

	#onTrainProgress(id: string, p: TrainProgress): void {
		const live = this.rt(id).training;
		if (!live) return;
		switch (p.kind) {
			case 'epoch':
				this.#patchRt(id, { training: { ...live, epochs: [...live.epochs, p], batch: null } });
				break;
			case 'batch':
				this.#patchRt(id, { training: { ...live, batch: p } });
				break;
			case 'backend':
				this.#patchRt(id, { training: { ...live, backend: p } });
				break;
			case 'trial':
				// A sweep starts its next trial: a fresh curve.
				this.#patchRt(id, {
					training: { ...live, epochs: [], batch: null, trial: { index: p.index, of: p.of } }
				});
				break;
			case 'done':
				break;
		}
	}

	#fail(id: string, error: CellError): void {
		const cell = this.cell(id);
		if (cell && cell.kind !== 'markdown') cell.output = error;
		this.#patchRt(id, { status: 'error', live: false });
		this.touch();
	}

	#label(id: string): string {
		const c = this.cell(id);
		const index = this.doc.cells.findIndex((x) => x.id === id) + 1;
		const table = c ? resultTable(c) : null;
		return table && !table.startsWith('_cell_') ? `cell ${index} (${table})` : `cell ${index}`;
	}
}

/**
 * What a cell shows when its work threw. An engine restart is expected (a cancel that had to restart it, or a
 * cancelled load while this cell ran) and says so; anything else is a bug, shown as such.
 */
function thrown(e: unknown, cancelRequested: boolean): CellError {
	const message = e instanceof Error ? e.message : String(e);
	if (e instanceof Error && e.name === 'EngineRestarted') {
		if (cancelRequested) return { kind: 'error', name: 'Cancelled', message };
		return { kind: 'error', name: 'EngineRestarted', message: `${message} Run this cell again.` };
	}
	return { kind: 'error', name: 'InternalError', message };
}
