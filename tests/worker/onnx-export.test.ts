import { expect, test } from 'vitest';
import { describeOnnx, exportOnnx, OnnxExportError } from '../../src/lib/onnx';

// The exporter is meant to run in the Worker too (re-export, signatures from bytes): prove it loads and runs in
// workerd, with no TF.js and no DOM. Numerical parity with TF.js is tested in Node (tests/onnx).
const modelJson = JSON.stringify({
	format: 'layers-model',
	modelTopology: {
		class_name: 'Sequential',
		config: {
			name: 'tiny',
			layers: [
				{
					class_name: 'Dense',
					config: { name: 'd', units: 1, activation: 'sigmoid', use_bias: true, batch_input_shape: [null, 2] }
				}
			]
		}
	},
	weightsManifest: [
		{
			paths: ['weights.bin'],
			weights: [
				{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' },
				{ name: 'd/bias', shape: [1], dtype: 'float32' }
			]
		}
	]
});

test('exportOnnx and describeOnnx run inside workerd', () => {
	const bytes = exportOnnx({ modelJson, weights: new Float32Array([0.5, -0.25, 0.1]).buffer });
	expect(describeOnnx(bytes)).toEqual({
		formatVersion: 1,
		inputFeatures: 2,
		outputs: 1,
		task: 'binary',
		irVersion: 8,
		opset: 17
	});
	expect(() => exportOnnx({ modelJson, weights: new ArrayBuffer(8) })).toThrow(OnnxExportError);
});
