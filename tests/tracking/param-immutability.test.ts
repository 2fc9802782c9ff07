import { caught, clearDb, newRun } from './helpers';
import { beforeEach, describe, expect, it } from 'vitest';
import { getRun, logParams, type ParamValue } from '$lib/tracking/runs';

beforeEach(clearDb);

describe('params are immutable once logged (MLflow)', () => {
	const same: [string, Record<string, ParamValue>][] = [
		['the same string again', { optimizer: 'adam' }],
		['the same number again', { learningRate: 0.01 }],
		['a number equal to the stored text', { learningRate: '0.01' }],
		['a new key', { epochs: 20 }],
		['nothing', {}]
	];
	it.each(same)('accepts %s', async (_, params) => {
		const run = await newRun();
		await logParams(run.id, params);
		const stored = await getRun(run.id);
		expect(stored?.params).toMatchObject({ learningRate: '0.01', optimizer: 'adam' });
		for (const [k, v] of Object.entries(params)) expect(stored?.params[k]).toBe(String(v));
	});

	const changed: [string, Record<string, ParamValue>, string, string, string][] = [
		['a different string', { optimizer: 'sgd' }, 'optimizer', '"adam"', '"sgd"'],
		['a different number', { learningRate: 0.1 }, 'learningRate', '"0.01"', '"0.1"'],
		['a boolean over text', { optimizer: true }, 'optimizer', '"adam"', '"true"']
	];
	it.each(changed)('refuses %s, naming the key and both values', async (_, params, key, oldV, newV) => {
		const run = await newRun();
		const err = await caught(() => logParams(run.id, params));
		expect(err.name).toBe('ParamImmutable');
		expect(err.message).toContain(`"${key}"`);
		expect(err.message).toContain(oldV);
		expect(err.message).toContain(newV);
	});

	it('writes nothing from a batch with one changed key', async () => {
		const run = await newRun();
		await caught(() => logParams(run.id, { epochs: 5, optimizer: 'sgd' }));
		expect((await getRun(run.id))?.params).toEqual({ learningRate: '0.01', optimizer: 'adam' });
	});

	it('keeps a param logged later immutable too', async () => {
		const run = await newRun();
		await logParams(run.id, { epochs: 5 });
		expect((await caught(() => logParams(run.id, { epochs: 6 }))).name).toBe('ParamImmutable');
	});

	const badKeys: [string, string][] = [
		['empty', ''],
		['too long', 'k'.repeat(251)],
		['a forbidden character', 'lr!'],
		['a leading slash', '/lr'],
		['a ".." segment', 'a/../b']
	];
	it.each(badKeys)('refuses a key that is %s', async (_, key) => {
		const run = await newRun();
		expect((await caught(() => logParams(run.id, { [key]: 1 }))).name).toBe('InvalidKey');
	});

	it('refuses a non-finite number and an over-long value', async () => {
		const run = await newRun();
		expect((await caught(() => logParams(run.id, { x: NaN }))).name).toBe('InvalidValue');
		expect((await caught(() => logParams(run.id, { x: 'v'.repeat(6001) }))).name).toBe('InvalidValue');
	});

	it('refuses logging to an unknown run', async () => {
		expect((await caught(() => logParams('run_nope', { a: 1 }))).name).toBe('RunNotFound');
	});
});
