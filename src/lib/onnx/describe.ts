/** Reads back what exportOnnx wrote into metadata_props, e.g. to build a registry signature from the bytes. */
import type { Task } from '../ml/types';
import { OnnxExportError } from './errors';
import { META, type OnnxDescription } from './metadata';
import { onnx } from './proto';

const TASKS: readonly string[] = ['binary', 'multiclass', 'regression'] satisfies Task[];

export function describeOnnx(bytes: Uint8Array): OnnxDescription {
	let model: ReturnType<typeof onnx.ModelProto.decode>;
	try {
		model = onnx.ModelProto.decode(bytes);
	} catch (e) {
		throw new OnnxExportError('not-onnx', `not an ONNX model: ${e instanceof Error ? e.message : e}`);
	}
	const meta = new Map(model.metadataProps.map((p) => [p.key, p.value]));
	const int = (key: string): number => {
		const n = Number(meta.get(key));
		if (!Number.isInteger(n) || n < 1)
			throw new OnnxExportError('not-edgebook', `metadata ${key} is ${meta.get(key) ?? 'missing'}`);
		return n;
	};
	const task = meta.get(META.task) ?? '';
	if (!TASKS.includes(task)) throw new OnnxExportError('not-edgebook', `metadata ${META.task} is "${task}"`);
	const opset = model.opsetImport.find((o) => !o.domain)?.version ?? 0;
	return {
		formatVersion: int(META.formatVersion),
		inputFeatures: int(META.inputFeatures),
		outputs: int(META.outputs),
		task: task as Task,
		irVersion: Number(model.irVersion),
		opset: Number(opset)
	};
}
