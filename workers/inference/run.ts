import type { InferenceSession } from 'onnxruntime-web/wasm';
import { InvalidModel } from '../domain/errors';
import { ortForWorkerd } from './ort-shim';
import { LruCache } from './sessions';

/**
 * The heavy half of the inference service, loaded by dynamic import so that ORT (and its 14 MB wasm) is evaluated
 * only by the isolates, and test files, that serve predictions.
 */

/** A few models per isolate: each session holds its weights in wasm memory, and isolates have 128 MB. */
export const sessions = new LruCache<InferenceSession>(4);

async function load(bytes: () => Promise<Uint8Array>): Promise<InferenceSession> {
	const ort = await ortForWorkerd();
	const data = await bytes();
	try {
		return await ort.InferenceSession.create(data);
	} catch (e) {
		throw new InvalidModel({
			message: `The version's artifact is not an ONNX model this runtime can load: ${(e as Error).message ?? e}. Register a version whose artifactSha256 is its ONNX export.`
		});
	}
}

/** Runs `features` [rows, width] through the model with this sha-256, loading it on first use. */
export async function runModel(opts: {
	sha256: string;
	bytes: () => Promise<Uint8Array>;
	features: Float32Array;
	rows: number;
	width: number;
}): Promise<{ data: Float32Array; dims: readonly number[] }> {
	const ort = await ortForWorkerd();
	const session = await sessions.getOrLoad(
		opts.sha256,
		() => load(opts.bytes),
		(evicted) => void evicted.then((s) => s.release()).catch(() => {})
	);
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
