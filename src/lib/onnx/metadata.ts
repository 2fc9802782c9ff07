/** The graph contract shared by the exporter and everything that runs its models (the Worker's inference route). */
import type { Task } from '../ml/types';

export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'output';
/** Bump when the graph contract changes, so readers can refuse models they do not understand. */
export const FORMAT_VERSION = 1;
export const IR_VERSION = 8;
/** Opset 17 (ONNX 1.12): supported by every onnxruntime-web 1.2x/1.3x, and it fits IR version 8. */
export const OPSET = 17;

/** Keys of ModelProto.metadata_props. */
export const META = {
	formatVersion: 'edgebook.format_version',
	inputFeatures: 'edgebook.input_features',
	outputs: 'edgebook.outputs',
	task: 'edgebook.task'
} as const;

export interface OnnxDescription {
	formatVersion: number;
	/** F: the width of each preprocessed row the `features` input takes. */
	inputFeatures: number;
	/** K: the width of each `output` row (1 for binary and regression, the class count for multiclass). */
	outputs: number;
	task: Task;
	irVersion: number;
	opset: number;
}
