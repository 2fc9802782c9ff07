// First: Dexie reads the global indexedDB when it loads.
import 'fake-indexeddb/auto';
import { db } from '$lib/tracking/db';
import { getOrCreateExperiment, startRun, type Lineage, type StartRun } from '$lib/tracking/runs';

export const lineage: Lineage = {
	dataFingerprint: {
		query: 'SELECT * FROM penguins',
		sources: [{ name: 'penguins', sha256: 'a'.repeat(64) }],
		rowCount: 344,
		schema: [
			{ name: 'species', type: 'VARCHAR' },
			{ name: 'bill_length_mm', type: 'DOUBLE' }
		]
	},
	configHash: 'cfg-1',
	seed: 42,
	environment: {
		backend: 'wasm',
		backendReason: 'fastest measured',
		adapter: null,
		userAgent: 'vitest',
		libraries: { '@tensorflow/tfjs-core': '4.22.0' }
	}
};

export async function clearDb(): Promise<void> {
	const d = db();
	await Promise.all(d.tables.map((t) => t.clear()));
}

export async function newRun(overrides: Partial<StartRun> = {}) {
	const exp = await getOrCreateExperiment('penguins');
	return startRun({
		experimentId: exp.id,
		name: 'mlp',
		params: { learningRate: 0.01, optimizer: 'adam' },
		lineage,
		...overrides
	});
}

/** Runs the block and returns what it threw (or fails the test when it did not throw). */
export async function caught(block: () => Promise<unknown>): Promise<Error> {
	try {
		await block();
	} catch (e) {
		return e as Error;
	}
	throw new Error('expected the block to throw');
}
