import type * as Ort from 'onnxruntime-web/wasm';
import { readOnnxSignature, type OnnxSignature } from '../../ml/onnx-signature';
import { isTensor, type Feed, type Output } from '../../ml/tensors';
import {
	evaluateOutputs,
	frameFeeds,
	labelledRows,
	OnnxEvalError,
	type OnnxEvaluation,
	type OnnxMapping
} from '../../ml/onnx-eval';
import { frameOf } from './prepared';

/**
 * An imported ONNX graph scored on a staged table, in the train worker (off the page's thread), with
 * onnxruntime-web's single-threaded wasm build: the page is not cross-origin isolated, so ORT's threads are not
 * available, and the edge runs the same build (docs/architecture.md). ORT loads on the first ONNX cell only.
 */

let ready: Promise<typeof Ort> | undefined;

function ort(): Promise<typeof Ort> {
	ready ??= (async () => {
		const [ort, wasm] = await Promise.all([
			import('onnxruntime-web/wasm'),
			import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url')
		]);
		// Served by us next to the app's other assets, never fetched from a CDN.
		ort.env.wasm.wasmPaths = { wasm: wasm.default };
		ort.env.wasm.numThreads = 1;
		ort.env.wasm.proxy = false;
		return ort;
	})();
	return ready;
}

async function run(bytes: Uint8Array, sig: OnnxSignature, feeds: Feed[]): Promise<Output[]> {
	const o = await ort();
	let session: Ort.InferenceSession;
	try {
		session = await o.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
	} catch (e) {
		throw new OnnxEvalError(
			'InvalidModel',
			`onnxruntime cannot load this graph: ${(e as Error).message ?? e}`
		);
	}
	try {
		const wanted = sig.outputs.filter(isTensor).map((t) => t.name);
		const inputs: Record<string, Ort.Tensor> = {};
		for (const f of feeds) inputs[f.name] = new o.Tensor(f.dtype, f.data as Ort.Tensor.DataType, f.dims);
		let result: Ort.InferenceSession.ReturnType;
		try {
			result = await session.run(inputs, wanted);
		} catch (e) {
			throw new OnnxEvalError('InvalidModel', `The graph refused the table: ${(e as Error).message ?? e}`);
		}
		return wanted.map((name) => {
			const t = result[name];
			return { name, dtype: t.type, data: t.data as Output['data'], dims: t.dims };
		});
	} finally {
		await session.release();
	}
}

/** Score the labelled rows of a staged frame and report, as an evaluate cell does for a trained model. */
export async function evaluateOnnxFrame(req: {
	frame: string;
	onnx: ArrayBuffer;
	mapping: OnnxMapping;
}): Promise<OnnxEvaluation & { rows: number }> {
	const bytes = new Uint8Array(req.onnx);
	const sig = readOnnxSignature(bytes);
	const frame = frameOf(req.frame);
	const rows = labelledRows(frame, req.mapping.target);
	if (rows.length === 0)
		throw new OnnxEvalError('NoLabels', `No row has a value in "${req.mapping.target}" to score against.`);
	const feeds = frameFeeds(sig, frame, req.mapping.inputs, rows);
	const outputs = await run(bytes, sig, feeds);
	return { ...evaluateOutputs(outputs, frame, rows, req.mapping), rows: rows.length };
}
