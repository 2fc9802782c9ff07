import { OnnxFormatError, readOnnxSignature } from '../../src/lib/ml/onnx-signature';
import { blobKey } from '../registry/read-artifacts';

/**
 * A stored ONNX artifact's signature in MLflow's shape (`{inputs, outputs}` of tensor specs), read from the
 * graph's own bytes when a version is created, so the registry shows what the model takes before anyone calls it.
 * Null when the bytes are missing or are not an ONNX model: the version is still created, and serving names
 * what is wrong.
 */
export async function graphSignature(
	bucket: R2Bucket,
	sha256: string
): Promise<{ inputs: unknown[]; outputs: unknown[] } | null> {
	const obj = await bucket.get(blobKey(sha256));
	if (!obj) return null;
	try {
		const sig = readOnnxSignature(new Uint8Array(await obj.arrayBuffer()));
		return { inputs: sig.inputs, outputs: sig.outputs };
	} catch (e) {
		if (e instanceof OnnxFormatError) return null;
		throw e;
	}
}
