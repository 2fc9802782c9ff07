/** ONNX export of trained Edgebook models; see metadata.ts for the graph contract. */
export { exportOnnx, type ExportOptions } from './export';
export { describeOnnx } from './describe';
export { OnnxExportError, ONNX_ERROR_CODES, type OnnxErrorCode } from './errors';
export {
	FORMAT_VERSION,
	INPUT_NAME,
	OUTPUT_NAME,
	META,
	OPSET,
	IR_VERSION,
	type OnnxDescription
} from './metadata';
