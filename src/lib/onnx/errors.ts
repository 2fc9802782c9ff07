/** Why an export (or a read-back) failed: one stable code per problem, for tests and for the UI to key on. */
export const ONNX_ERROR_CODES = [
	'not-json',
	'bad-topology',
	'bad-weights',
	'unsupported-layer',
	'unsupported-config',
	'shape-mismatch',
	'task-mismatch',
	'not-onnx',
	'not-edgebook'
] as const;
export type OnnxErrorCode = (typeof ONNX_ERROR_CODES)[number];

/**
 * The one error the exporter throws. `name` stays 'OnnxExportError' so it survives a worker boundary
 * (only name, message and stack cross: docs/architecture.md); `code` says which problem, for code on this side.
 */
export class OnnxExportError extends Error {
	readonly code: OnnxErrorCode;
	constructor(code: OnnxErrorCode, message: string) {
		super(message);
		this.name = 'OnnxExportError';
		this.code = code;
	}
}
