import { cancelJob, dataApi, onEngineRestart } from '$lib/data/client';
import type { Datasets } from '$lib/data/datasets.svelte';
import { chartsToDraw } from './chart-ready';
import type { CellContext } from './execute';
import { OpenNotebook } from './notebook.svelte';
import type { Notebook } from './schema';

/**
 * What cells run against in a browser tab: this tab's data worker and datasets, and the training code, which
 * (TF.js, large) loads only when a train, evaluate or predict cell first runs. The notebook builds it, so a page
 * only opens a notebook and shows it (docs/architecture.md, "Folders and who may import what").
 */
export function tabContext(datasets: Datasets, notebook: () => Notebook): CellContext {
	let trainingLoaded = false;
	const deps = { notebook, datasets, data: dataApi };
	const training = () => import('$lib/train/session').then((m) => m.session(deps));
	const loadTraining = () => {
		trainingLoaded = true;
		return training();
	};
	return {
		api: dataApi,
		ensureAttached: (names, opts) => datasets.ensureAttached(names, opts),
		// A cancel reaches the train worker only once it exists: never load TF.js just to cancel nothing.
		cancel: (job) =>
			Promise.all([cancelJob(job), trainingLoaded ? training().then((t) => t.cancel()) : null]),
		onEngineRestart,
		train: async (cell, job, onProgress) => (await loadTraining()).train(cell, job, onProgress),
		evaluate: async (cell) => (await loadTraining()).evaluate(cell),
		predict: async (cell, job) => (await loadTraining()).predict(cell, job),
		onnx: async (cell) => (await loadTraining()).onnx(cell)
	};
}

/** Open a stored notebook in this tab: its cells run in this tab's workers, and its charts are drawn again. */
export function openInTab(nb: Notebook, datasets: Datasets): OpenNotebook {
	let open: OpenNotebook | null = null;
	open = new OpenNotebook(
		nb,
		tabContext(datasets, () => open!.doc)
	);
	// Charts keep their spec, not their data: draw them again, through the scheduler.
	for (const cellId of chartsToDraw(nb)) void open.runCell(cellId);
	// DuckDB takes seconds to fetch and compile: start it now, in its worker, not at the first query.
	setTimeout(() => void dataApi().warm(), 0);
	return open;
}
