import { expect, test, type Page } from './fixtures';
import type { TrainBenchOptions, TrainBenchResult } from '../src/bench/train-bench-types';

/**
 * The real train worker in real Chromium, through the unlinked /bench/train page: every TF.js backend trains,
 * `auto` never settles on the software WebGPU adapter, cancel stops within a batch, tensors do not pile up.
 * Behaviour only, never timings (the measured samples/s are printed, not asserted). WebGPU here is SwiftShader
 * (--enable-unsafe-webgpu in playwright.config.ts): it works, slowly, so the runs stay small.
 */

interface TrainWindow {
	edgebookTrain: {
		run(o: TrainBenchOptions): Promise<TrainBenchResult>;
		probe(): Promise<{
			available: string[];
			adapter: { isFallbackAdapter: boolean; description: string } | null;
		}>;
		memory(): Promise<{ backend: string | null; numTensors: number }>;
	};
}

async function openBench(page: Page): Promise<void> {
	await page.goto('/bench/train');
	await expect(page.getByTestId('bench-ready')).toHaveAttribute('data-ready', 'true');
}

async function run(page: Page, o: TrainBenchOptions): Promise<Extract<TrainBenchResult, { ok: true }>> {
	const r = await page.evaluate((o) => (window as unknown as TrainWindow).edgebookTrain.run(o), o);
	if (!r.ok) throw new Error(`training on ${o.preference} failed: ${r.error.name}: ${r.error.message}`);
	return r;
}

const FORCED = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** 2,000 seeded rows × 8 features (80% train), a 16-unit MLP, 3 epochs of 16 batches: learnable to ~0.97 on any backend. */
const PROBLEM = {
	rows: 2000,
	width: 8,
	hidden: [16],
	epochs: 3,
	batchSize: 100,
	seed: 42
} satisfies Partial<TrainBenchOptions>;
const MIN_ACCURACY = 0.9;
/** Backends differ in float rounding (and WebGPU/WebGL in kernels), so the same seed is not bit-identical across them. */
const SPREAD = 0.05;

test('each backend, forced once, trains the same model to the same accuracy on that very backend', async ({
	page
}) => {
	test.setTimeout(90_000);
	await openBench(page);
	const probe = await page.evaluate(() => (window as unknown as TrainWindow).edgebookTrain.probe());
	console.log(`probe: ${probe.available.join(', ')}; WebGPU adapter: ${JSON.stringify(probe.adapter)}`);
	expect(probe.available).toEqual(expect.arrayContaining([...FORCED]));

	const accuracy: Record<string, number> = {};
	for (const backend of FORCED) {
		const r = await run(page, { ...PROBLEM, preference: backend });
		const ms = Math.round(r.history.at(-1)!.elapsedMs);
		console.log(
			`${backend}: accuracy ${r.accuracy.toFixed(3)} after ${r.epochs} epochs (${ms} ms); "${r.reason}"`
		);
		expect(r.backend, r.reason).toBe(backend);
		expect(r.reason).toMatch(new RegExp(`^forced ${backend}`));
		// tf.getBackend() inside the worker, read after training: no silent switch on the way.
		expect(r.memoryAfterTrain.backend).toBe(backend);
		expect(r.events.filter((e) => e.kind === 'backend')).toEqual([
			{ kind: 'backend', backend, reason: r.reason }
		]);
		expect(r.epochs).toBe(PROBLEM.epochs);
		expect(r.predictError).toBeNull();
		// The worker's own validation accuracy and the page's, from predict(), agree.
		expect(r.accuracy).toBeCloseTo(r.history.at(-1)!.valMetric, 3);
		accuracy[backend] = r.accuracy;
	}
	const values = Object.values(accuracy);
	expect(Math.min(...values), JSON.stringify(accuracy)).toBeGreaterThanOrEqual(MIN_ACCURACY);
	expect(Math.max(...values) - Math.min(...values), JSON.stringify(accuracy)).toBeLessThanOrEqual(SPREAD);
});

test('auto measures the backends and does not pick a fallback (software) WebGPU adapter', async ({
	page
}) => {
	await openBench(page);
	const r = await run(page, { ...PROBLEM, epochs: 1, preference: 'auto' });
	console.log(`auto chose ${r.backend}: ${r.reason}`);
	for (const t of r.trials) {
		console.log(
			`  trial ${t.backend}: ${'samplesPerSec' in t ? `${Math.round(t.samplesPerSec)} samples/s` : t.error}`
		);
	}
	expect(r.adapter, 'Chromium here runs with --enable-unsafe-webgpu: a SwiftShader adapter').not.toBeNull();
	expect(r.adapter!.isFallbackAdapter).toBe(true);
	expect(r.backend).not.toBe('webgpu');
	expect(r.trials).toContainEqual({ backend: 'webgpu', error: expect.stringMatching(/fallback/) });
	const measured = r.trials.filter((t) => 'samplesPerSec' in t).map((t) => t.backend);
	expect(measured).toContain(r.backend);
	expect(measured.length).toBeGreaterThanOrEqual(2);
	expect(r.memoryAfterTrain.backend).toBe(r.backend);
});

test('cancel stops within one batch and keeps the partial model', async ({ page }) => {
	await openBench(page);
	const r = await run(page, {
		...PROBLEM,
		epochs: 40,
		preference: 'cpu',
		batchSize: 32,
		batchEvery: 1,
		cancelAfterBatches: 30
	});
	expect(r.cancelled).toBe(true);
	expect(r.cancelAt).toMatchObject({ running: true });
	// Batches finished after the cancel request landed in the worker: at most the one already running.
	console.log(
		`cancel landed after batch ${r.cancelAt!.batchesRun}; the run stopped after batch ${r.batchesRun}`
	);
	expect(r.batchesRun - r.cancelAt!.batchesRun).toBeLessThanOrEqual(1);
	expect(r.epochs).toBeLessThan(40);
	expect(r.events.at(-1)).toEqual({ kind: 'done', epochs: r.epochs, stoppedEarly: false, cancelled: true });
	expect(r.weightBytes).toBeGreaterThan(0);
	expect(r.predictError).toBeNull();
	expect(r.accuracy).toBeGreaterThan(0.5);
});

test('a backend failing mid-run hands over to the next one, which finishes the training', async ({
	page
}) => {
	await openBench(page);
	const r = await run(page, { ...PROBLEM, preference: 'webgl', failAt: { epoch: 2, batch: 3 } });
	const switched = r.events.filter((e) => e.kind === 'backend');
	expect(switched).toHaveLength(2);
	expect(switched[1]).toMatchObject({
		backend: 'wasm',
		reason: expect.stringMatching(/webgl failed in epoch 2 \(InjectedBackendFailure/)
	});
	expect(r.backend).toBe('wasm');
	expect(r.memoryAfterTrain.backend).toBe('wasm');
	expect(r.epochs).toBe(PROBLEM.epochs);
	expect(r.accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
});

test('tensors do not pile up over ten runs in the browser', async ({ page }) => {
	await openBench(page);
	const counts: number[] = [];
	for (let i = 0; i < 10; i++) {
		const r = await run(page, {
			rows: 300,
			width: 8,
			hidden: [8],
			epochs: 2,
			seed: i,
			preference: 'wasm',
			patience: 1
		});
		expect(r.backend).toBe('wasm');
		counts.push(r.memory.numTensors);
	}
	console.log(`numTensors after each run: ${counts.join(', ')}`);
	expect(new Set(counts).size).toBe(1);
});
