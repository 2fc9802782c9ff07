import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Backend } from '$lib/ml/types';

/** TF.js on its cpu backend, in Node: what the unit tests train on. */
export async function useCpu(): Promise<void> {
	// Silences TF.js's "install tfjs-node" banner, a warning meant for Node apps, not for these tests.
	tf.env().set('IS_TEST', true);
	await tf.setBackend('cpu');
	if (tf.getBackend() !== 'cpu') throw new Error(`expected cpu, TF.js is on ${tf.getBackend()}`);
}

/**
 * A stand-in for another backend (wasm, webgpu) in Node: the cpu backend under that name, with cpu's kernels.
 * Lets the tests drive backend switches, fallbacks and failures without a browser.
 */
export function registerFakeBackend(name: Backend): () => void {
	tf.registerBackend(name, () => new MathBackendCPU(), 0);
	for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: name });
	return () => {
		for (const k of tf.getKernelsForBackend(name)) tf.unregisterKernel(k.kernelName, name);
		tf.removeBackend(name);
	};
}
