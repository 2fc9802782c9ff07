import type { OnnxCell } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import * as tracking from '$lib/tracking/runs';
import { artifactsOf, saveArtifacts } from '$lib/tracking/runs';
import { OnnxFormatError, readOnnxSignature } from '$lib/ml/onnx-signature';
import { isTensor, shapeText } from '$lib/ml/tensors';
import { reportSummary } from './report';
import { fail } from './cell-error';
import { trainApi } from './client';
import { pipeFrame } from './frame-pipe';
import type { TrainerDeps } from './trainer';
import type { EvaluationReport } from '../ml/types';

/** The artifact an imported graph is kept as: the name the registry serves a run's ONNX file under. */
export const IMPORTED_ONNX = 'model.onnx';
/** The run tag that marks a run as an imported file rather than a training run. */
export const IMPORTED_TAG = 'edgebook.source';

export interface ImportedOnnx {
	runId: string;
	fileName: string;
	inputs: { name: string; type: string }[];
	outputs: { name: string; type: string }[];
}

/** What the cell shows of a signature: each input and output with its element type and shape, in words. */
function described(bytes: Uint8Array) {
	const sig = readOnnxSignature(bytes);
	const text = (specs: typeof sig.inputs) =>
		specs.map((s) => ({
			name: s.name,
			type: isTensor(s) ? `${s['tensor-spec'].dtype} ${shapeText(s, sig)}` : s.onnxType
		}));
	return { sig, inputs: text(sig.inputs), outputs: text(sig.outputs) };
}

/**
 * Keeps an ONNX file as a finished run of the notebook's experiment, `model.onnx` its artifact: it syncs like any
 * run and registers like a trained model. Bytes that are not ONNX are refused, naming the file, before anything
 * is stored.
 */
export async function importOnnxFile(o: {
	file: File;
	notebookId: string;
	cellId: string;
	experiment?: string;
}): Promise<ImportedOnnx> {
	const bytes = new Uint8Array(await o.file.arrayBuffer());
	let shown;
	try {
		shown = described(bytes);
	} catch (e) {
		if (e instanceof OnnxFormatError) throw new OnnxFormatError(`${o.file.name} is ${e.message}`);
		throw e;
	}
	const experiment = await tracking.getOrCreateExperiment(o.experiment ?? 'default');
	const producer = shown.sig.producer
		? `${shown.sig.producer.name} ${shown.sig.producer.version}`.trim()
		: '';
	const run = await tracking.startRun({
		experimentId: experiment.id,
		name: o.file.name.replace(/\.onnx$/i, ''),
		notebookId: o.notebookId,
		cellId: o.cellId,
		params: { source_file: o.file.name, ...(producer ? { producer } : {}) },
		tags: { [IMPORTED_TAG]: 'onnx-import' },
		lineage: {
			dataFingerprint: { query: '', sources: [], rowCount: 0, schema: [] },
			configHash: '',
			seed: 0,
			environment: {
				backend: 'onnxruntime-web',
				backendReason: 'an imported ONNX graph',
				adapter: null,
				userAgent: navigator.userAgent,
				libraries: {}
			}
		}
	});
	await tracking.finishRunWithArtifacts(run.id, {
		status: 'finished',
		artifacts: [{ name: IMPORTED_ONNX, mediaType: 'application/onnx', data: bytes }]
	});
	return { runId: run.id, fileName: o.file.name, inputs: shown.inputs, outputs: shown.outputs };
}

/**
 * ONNX cells score a table with their imported graph in the train worker (onnxruntime-web), through the cell's
 * column → input mapping, and report as an evaluate cell does; the report is kept with the run.
 */
export function createOnnxEvaluator(deps: TrainerDeps) {
	return async function evaluate(cell: OnnxCell): Promise<Outcome> {
		if (!cell.runId) return fail('NoModel', 'Choose an ONNX file first.');
		const run = await tracking.getRun(cell.runId);
		if (!run)
			return fail(
				'RunNotFound',
				`The run holding ${cell.fileName || 'the file'} is not in this browser (deleted?).`
			);
		const file = (await artifactsOf(cell.runId)).find((a) => a.name === IMPORTED_ONNX);
		if (!file) return fail('MissingArtifact', `Run ${cell.runId.slice(0, 10)} has no ${IMPORTED_ONNX}.`);
		if (!cell.data) return fail('NoTable', 'Pick a table to score the model on.');
		if (!cell.target) return fail('NoTarget', 'Pick the column that holds the true values.');
		const prediction = cell.prediction || cell.outputs[0]?.name || '';
		const attach = await deps.datasets.ensureAttached([cell.data]);
		if (attach) return fail(attach.name, attach.message);
		const piped = await pipeFrame(deps.data(), trainApi(), { table: cell.data, columns: null });
		if (!piped.ok) return fail(piped.error.name, piped.error.message);
		let scored;
		try {
			scored = await trainApi().evaluateOnnx({
				frame: piped.ref.handle,
				onnx: await file.blob.arrayBuffer(),
				mapping: { inputs: plainMapping(cell.mapping), target: cell.target, prediction, task: cell.task }
			});
		} finally {
			void trainApi().release([piped.ref.handle]);
		}
		if (!scored.ok) return fail(scored.error.name, scored.error.message);
		const note = `Scored ${scored.rows} labelled row${scored.rows === 1 ? '' : 's'}, reading ${scored.reading}.`;
		await saveArtifacts(cell.runId, [
			{
				name: `evaluation-${cell.data}.json`,
				mediaType: 'application/json',
				data: JSON.stringify({
					table: cell.data,
					rows: scored.rows,
					mapping: cell.mapping,
					report: scored.report
				})
			}
		]);
		await tracking.logMetrics(
			cell.runId,
			Object.entries(reportSummary(scored.report as EvaluationReport)).map(([key, value]) => ({
				key,
				value,
				step: 0
			}))
		);
		return {
			ok: true,
			live: false,
			output: { kind: 'evaluation', runId: cell.runId, data: cell.data, report: scored.report as never, note }
		};
	};
}

/** Plain objects for postMessage: a cell's mapping may be a Svelte state proxy, which cannot be cloned. */
function plainMapping(mapping: Record<string, string[]>): Record<string, string[]> {
	return Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k, [...v]]));
}
