import { describe, expect, it } from 'vitest';
import { backendNote, failureClause, missingKernel } from '../../../src/lib/train/engine/backend-note';

const kernel = "Error: Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'";

describe('backendNote', () => {
	it('names the missing kernel and where training went instead', () => {
		expect(
			backendNote({ used: 'cpu', failures: [{ backend: 'wasm', error: kernel, duringTraining: true }] })
		).toBe('wasm could not run this model (no kernel for Conv2DBackpropFilter); trained on cpu instead');
	});

	it('says nothing when training ran where it was asked to', () => {
		expect(backendNote({ used: 'wasm', failures: [] })).toBe('');
	});

	it('leaves out the software WebGPU adapter that auto skips by design', () => {
		expect(
			backendNote({
				used: 'webgl',
				failures: [{ backend: 'webgpu', error: 'skipped: fallback (software) WebGPU adapter' }]
			})
		).toBe('');
	});

	it('tells a backend that would not start from one that failed mid-run, once each', () => {
		expect(
			backendNote({
				used: 'cpu',
				failures: [
					{ backend: 'webgpu', error: 'TF.js did not switch to webgpu (it is on cpu)' },
					{ backend: 'wasm', error: kernel },
					{ backend: 'wasm', error: kernel, duringTraining: true },
					{ backend: 'webgl', error: 'Error: shader failed', duringTraining: true }
				]
			})
		).toBe(
			'webgpu could not be used here (TF.js did not switch to webgpu (it is on cpu)); ' +
				'wasm could not run this model (no kernel for Conv2DBackpropFilter); ' +
				'webgl failed while training this model (shader failed); trained on cpu instead'
		);
	});

	it('a lost WebGPU device is said as such', () => {
		expect(
			failureClause({ backend: 'webgpu', error: 'BackendLostError: WebGPU device lost (destroyed): gone' })
		).toBe('webgpu stopped working during training (BackendLostError: WebGPU device lost (destroyed): gone)');
	});

	it("reads the kernel name out of TF.js's error only", () => {
		expect(missingKernel(kernel)).toBe('Conv2DBackpropFilter');
		expect(missingKernel('Error: out of memory')).toBeNull();
	});
});
