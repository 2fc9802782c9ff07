import type { InferenceSession, Tensor } from 'onnxruntime-web/wasm';
import { OnnxFormatError, readOnnxSignature, type OnnxSignature } from '../../src/lib/ml/onnx-signature';
import { isTensor, type Feed, type Output } from '../../src/lib/ml/tensors';
import { InvalidModel } from '../domain/errors';
import { ortForWorkerd } from './ort-shim';
import { LruCache } from './sessions';

/**
 * The heavy half of the inference service, loaded by dynamic import so that ORT (and its 14 MB wasm) is evaluated
 * only by the isolates, and test files, that serve predictions.
 */

/** A loaded model: the runtime's session and the signature read from the same bytes. */
export interface Loaded {
	session: InferenceSession;
	signature: OnnxSignature;
}

/** A few models per isolate: each session holds its weights in wasm memory, and isolates have 128 MB. */
export const sessions = new LruCache<Loaded>(4);

async function load(bytes: () => Promise<Uint8Array>): Promise<Loaded> {
	const ort = await ortForWorkerd();
	const data = await bytes();
	let signature: OnnxSignature;
	try {
		signature = readOnnxSignature(data);
	} catch (e) {
		if (!(e instanceof OnnxFormatError)) throw e;
		throw new InvalidModel({
			message: `The version's artifact is ${e.message}. Register a version whose artifact is an ONNX model.`
		});
	}
	try {
		return { session: await ort.InferenceSession.create(data), signature };
	} catch (e) {
		throw new InvalidModel({
			message: `The version's artifact is not an ONNX model this runtime can load: ${(e as Error).message ?? e}. Register a version whose artifactSha256 is its ONNX export.`
		});
	}
}

/** The model with this sha-256, loaded on first use and kept in the isolate's LRU. */
export function loaded(sha256: string, bytes: () => Promise<Uint8Array>): Promise<Loaded> {
	return sessions.getOrLoad(
		sha256,
		() => load(bytes),
		(evicted) => void evicted.then((m) => m.session.release()).catch(() => {})
	);
}

/** Runs `features` [rows, width] through a model exported by the notebook (input "features", output "output"). */
export async function runModel(opts: {
	sha256: string;
	bytes: () => Promise<Uint8Array>;
	features: Float32Array;
	rows: number;
	width: number;
}): Promise<{ data: Float32Array; dims: readonly number[] }> {
	const ort = await ortForWorkerd();
	const { session } = await loaded(opts.sha256, opts.bytes);
	const input = new ort.Tensor('float32', opts.features, [opts.rows, opts.width]);
	let result: InferenceSession.ReturnType;
	try {
		result = await session.run({ features: input });
	} catch (e) {
		throw new InvalidModel({
			message: `The model refused the encoded rows [${opts.rows}, ${opts.width}]: ${(e as Error).message ?? e}. Its graph must take "features" float32 [N, ${opts.width}] as the version's preprocessing encodes them.`
		});
	}
	const output = result.output;
	if (!output || output.type !== 'float32')
		throw new InvalidModel({
			message: `The graph has no float32 output named "output" (it has ${Object.keys(result).join(', ')}).`
		});
	return { data: output.data as Float32Array, dims: output.dims };
}

/**
 * Runs checked feeds through any graph and returns its tensor outputs by name. Outputs ORT cannot hand back as
 * tensors (skl2onnx's ZipMap sequence of maps) are not fetched; `skipped` names them for the answer.
 */
export async function runGraph(
	model: Loaded,
	feeds: Feed[]
): Promise<{ outputs: Output[]; skipped: string[] }> {
	const ort = await ortForWorkerd();
	const wanted = model.signature.outputs.filter(isTensor).map((o) => o.name);
	const skipped = model.signature.outputs.filter((o) => !isTensor(o)).map((o) => o.name);
	if (!wanted.length)
		throw new InvalidModel({
			message: `The graph has no tensor output (${model.signature.outputs.map((o) => `"${o.name}"`).join(', ')}): export it with tensor outputs (for skl2onnx, options={"zipmap": False}).`
		});
	const inputs: Record<string, Tensor> = {};
	for (const f of feeds) inputs[f.name] = new ort.Tensor(f.dtype, f.data as Tensor.DataType, f.dims);
	let result: InferenceSession.ReturnType;
	try {
		result = await model.session.run(inputs, wanted);
	} catch (e) {
		throw new InvalidModel({
			message: `The graph refused the request: ${(e as Error).message ?? e}`,
			details: { inputs: feeds.map((f) => ({ name: f.name, dtype: f.dtype, shape: f.dims })) }
		});
	}
	const outputs = wanted.map((name) => {
		const t = result[name];
		return { name, dtype: t.type, data: t.data as Output['data'], dims: t.dims };
	});
	return { outputs, skipped };
}
