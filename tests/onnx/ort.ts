/**
 * onnxruntime-web in Node, for the tests. What works (onnxruntime-web 1.30.0, Node 20): the `/wasm` entry, the
 * same one the Worker imports, with `numThreads = 1`. It finds its .wasm beside itself from import.meta.url, so
 * no `wasmPaths` is needed; one thread keeps ORT from starting worker threads that outlive a test file.
 * (The default entry resolves to `ort.node.min.mjs` under Node's "node" condition and works the same way.)
 */
import * as ort from 'onnxruntime-web/wasm';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

export { ort };

/** Runs `features` (rows × width, row-major) through the model; `output` back as rows × K. */
export async function runOnnx(
	bytes: Uint8Array,
	x: Float32Array,
	rows: number,
	width: number
): Promise<{ values: Float32Array; dims: readonly number[]; session: ort.InferenceSession }> {
	const session = await ort.InferenceSession.create(bytes);
	const result = await session.run({ features: new ort.Tensor('float32', x, [rows, width]) });
	const out = result.output;
	return { values: out.data as Float32Array, dims: out.dims, session };
}
