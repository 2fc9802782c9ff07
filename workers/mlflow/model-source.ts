import { graphSignature } from '../inference/graph-signature';
import { blobKey, listArtifacts } from '../registry/read-artifacts';

/**
 * The ONNX file behind an MLflow model version's `source`, so a model an MLflow client logged and registered
 * serves at the edge like one registered from the notebook. `runs:/<run>/<path>` and
 * `mlflow-artifacts:/<experiment>/<run>/artifacts/<path>` name a run's artifacts; the path is the .onnx file
 * itself or the model folder, where MLmodel's onnx flavor names the file (`data: model.onnx`), else the folder's
 * one .onnx file. The signature is read from the graph (MLflow's tensor-spec shape) and stored on the version.
 */

const RUNS = /^runs:\/([^/]+)(?:\/(.*))?$/;
const PROXY = /^mlflow-artifacts:\/+[^/]+\/([^/]+)\/artifacts(?:\/(.*))?$/;

export function sourceRunAndPath(source: string): { runId: string; path: string } | null {
	const m = RUNS.exec(source) ?? PROXY.exec(source);
	return m ? { runId: m[1], path: (m[2] ?? '').replace(/\/+$/, '') } : null;
}

/** The onnx flavor's data file in an MLmodel (YAML): the `data:` line indented under `onnx:`. */
export function onnxFlavorData(mlmodel: string): string | null {
	const lines = mlmodel.split(/\r?\n/);
	const at = lines.findIndex((l) => /^\s+onnx:\s*$/.test(l));
	if (at === -1) return null;
	const indent = /^\s*/.exec(lines[at])![0].length;
	for (const line of lines.slice(at + 1)) {
		const depth = /^\s*/.exec(line)![0].length;
		if (line.trim() && depth <= indent) break;
		const data = /^\s+data:\s*['"]?([^'"\s]+)['"]?\s*$/.exec(line);
		if (data) return data[1];
	}
	return null;
}

export interface SourceModel {
	sha256: string;
	/** `{inputs, outputs}` in MLflow's tensor-spec shape; null when the bytes are not a readable ONNX model. */
	signature: { inputs: unknown[]; outputs: unknown[] } | null;
}

export async function onnxOfSource(
	db: D1Database,
	bucket: R2Bucket,
	workspaceId: string,
	source: string
): Promise<SourceModel | null> {
	const where = sourceRunAndPath(source);
	if (!where) return null;
	const prefix = where.path ? `${where.path}/` : '';
	const files = await listArtifacts(db, workspaceId, where.runId, { prefix: where.path });
	const exact = files.find((f) => f.name === where.path && f.name.endsWith('.onnx'));
	const inside = files.filter((f) => f.name.startsWith(prefix));
	let chosen = exact;
	if (!chosen) {
		const mlmodel = inside.find((f) => f.name === `${prefix}MLmodel`);
		const text = mlmodel ? await (await bucket.get(blobKey(mlmodel.sha256)))?.text() : undefined;
		const data = text ? onnxFlavorData(text) : null;
		const onnx = inside.filter((f) => f.name.endsWith('.onnx'));
		chosen =
			(data ? inside.find((f) => f.name === `${prefix}${data}`) : undefined) ??
			(onnx.length === 1 ? onnx[0] : onnx.find((f) => f.name === `${prefix}model.onnx`));
	}
	if (!chosen) return null;
	return { sha256: chosen.sha256, signature: await graphSignature(bucket, chosen.sha256) };
}
