import type { PredictResponse } from '../../../src/lib/contract';
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import {
	AliasNotFound,
	DomainError,
	InvalidInput,
	ModelNotFound,
	NotServable,
	TooLarge,
	VersionNotFound
} from '../../../workers/domain/errors';
import { predict, type PredictInput } from '../../../workers/inference/service';
import { blobKey } from '../../../workers/registry/read-artifacts';
import { newId, write } from '../../../workers/registry/write';
import { sha256 } from '../v1/fixtures';
import { sigmoid } from './fixtures';
import { gemmModel } from './onnx-builder';

/**
 * The inference service called as a Cron handler or a Durable Object would: plain values (database, bucket,
 * workspace, version reference, body), no Hono context, no Request. The registry is set up through the write
 * entry and D1/R2 directly, so no HTTP route takes part either. ORT loads on the first prediction (seconds).
 */

const db = (env as Env).DB;
const deps = { db, bucket: (env as Env).ARTIFACTS };

// age: (v − 30) / 10; logit = 2x + 0.5; P(yes) = sigmoid(logit).
const CHURN: Preprocessing = {
	version: 1,
	features: [{ name: 'age', kind: 'numeric', mean: 30, std: 10, impute: 30 }],
	target: { name: 'churn', task: 'binary', classes: ['no', 'yes'] },
	width: 1
};

async function stored(bytes: Uint8Array): Promise<string> {
	const sha = await sha256(bytes);
	await (env as Env).ARTIFACTS.put(blobKey(sha), bytes);
	await db.batch([
		db
			.prepare('INSERT OR IGNORE INTO blobs (sha256, bytes, created_at) VALUES (?, ?, ?)')
			.bind(sha, bytes.length, 1),
		db
			.prepare(
				'INSERT OR IGNORE INTO blob_refs (workspace_id, sha256, media_type, created_at) VALUES (?, ?, ?, ?)'
			)
			.bind('local', sha, 'application/octet-stream', 1)
	]);
	return sha;
}

async function ok(mutations: Parameters<typeof write>[2]) {
	const out = await write({ db }, 'local', mutations);
	if (out instanceof DomainError) throw out;
	return out;
}

const input = (over: Partial<PredictInput>): PredictInput => ({
	workspaceId: 'local',
	modelName: 'churn',
	ref: { version: 1 },
	body: { rows: [{ age: 30 }] },
	...over
});

/** The domain error a call rejects with (the test fails if it resolves). */
async function refusal(p: Promise<unknown>): Promise<DomainError> {
	const e = await p.then(
		() => null,
		(err: unknown) => err
	);
	expect(e, 'the call should have been refused').toBeInstanceOf(DomainError);
	return e as DomainError;
}

beforeAll(async () => {
	const sha = await stored(gemmModel({ weights: [[2]], bias: [0.5], head: 'sigmoid' }));
	await ok([
		{ type: 'model.create', name: 'churn' },
		{
			type: 'model.version.create',
			modelName: 'churn',
			id: newId(),
			sourceRunId: null,
			artifactSha256: sha,
			signature: { preprocessing: CHURN }
		},
		{ type: 'model.alias.set', modelName: 'churn', alias: 'champion', ref: { version: 1 } },
		// Registered without an artifact: found, but not servable.
		{
			type: 'model.version.create',
			modelName: 'churn',
			id: newId(),
			sourceRunId: null,
			artifactSha256: null,
			signature: { preprocessing: CHURN }
		}
	]);
	await predict(deps, input({}));
}, 60_000);

describe('the inference service, called with plain values', () => {
	it('scores rows of a version against the weights by hand', async () => {
		const out = (await predict(
			deps,
			input({ body: { rows: [{ age: 30 }, { age: 40 }, { age: 0 }] } })
		)) as PredictResponse;
		expect(out).toMatchObject({ model: 'churn', version: 1, task: 'binary' });
		// x = 0, 1, −3 → logits 0.5, 2.5, −5.5.
		const p = out.predictions.map((r) => ('probabilities' in r ? r.probabilities.yes : NaN));
		[0.5, 2.5, -5.5].forEach((z, i) => expect(p[i]).toBeCloseTo(sigmoid(z), 5));
		expect(out.predictions.map((r) => ('label' in r ? r.label : null))).toEqual(['yes', 'yes', 'no']);
	});

	it('scores columns through an alias', async () => {
		const out = (await predict(
			deps,
			input({ ref: { alias: 'champion' }, body: { columns: { age: [35] } } })
		)) as PredictResponse;
		expect(out.version).toBe(1);
		const first = out.predictions[0];
		expect('probabilities' in first && first.probabilities.yes).toBeCloseTo(sigmoid(1.5), 5);
	});

	it('an unknown model, version or alias is its own NotFound type, naming what is missing', async () => {
		const model = await refusal(predict(deps, input({ modelName: 'nope' })));
		expect(model).toBeInstanceOf(ModelNotFound);
		expect(model).toMatchObject({ code: 'not_found', details: { modelName: 'nope' } });
		expect(model.message).toContain('"nope"');

		const version = await refusal(predict(deps, input({ ref: { version: 9 } })));
		expect(version).toBeInstanceOf(VersionNotFound);
		expect(version).toMatchObject({ details: { modelName: 'churn', version: 9 } });
		expect(version.message).toContain('no version 9');

		const alias = await refusal(predict(deps, input({ ref: { alias: 'canary' } })));
		expect(alias).toBeInstanceOf(AliasNotFound);
		expect(alias.message).toContain('no alias "canary"');
	});

	it("another workspace's call never finds this workspace's model", async () => {
		expect(await refusal(predict(deps, input({ workspaceId: 'other' })))).toBeInstanceOf(ModelNotFound);
	});

	it('a version without an artifact is NotServable', async () => {
		const e = await refusal(predict(deps, input({ ref: { version: 2 } })));
		expect(e).toBeInstanceOf(NotServable);
		expect(e.message).toContain('has no ONNX artifact');
	});

	it.each([
		{ what: 'text for a numeric feature', body: { rows: [{ age: 30 }, { age: 'old' }] }, path: 'rows.1.age' },
		{ what: 'a row without the feature', body: { rows: [{ height: 3 }] }, path: 'rows.0.age' },
		{ what: 'columns without the feature', body: { columns: { height: [3] } }, path: 'columns.age' },
		{ what: 'rows that are not a list', body: { rows: 'age=30' }, path: 'rows' },
		{ what: 'no body at all', body: null, path: '' }
	])('a bad body ($what) is InvalidInput naming the field', async ({ body, path }) => {
		const e = await refusal(predict(deps, input({ body })));
		expect(e).toBeInstanceOf(InvalidInput);
		expect(e.code).toBe('invalid_request');
		const issues = (e.details as { issues: { path: string }[] }).issues;
		expect(issues[0].path).toBe(path);
		if (path) expect(e.message).toContain(path);
	});

	it('more rows than one call may score is TooLarge, with the limit', async () => {
		const rows = Array.from({ length: LIMITS.predictRows + 1 }, () => ({ age: 1 }));
		const e = await refusal(predict(deps, input({ body: { rows } })));
		expect(e).toBeInstanceOf(TooLarge);
		expect(e.details).toEqual({ rows: LIMITS.predictRows + 1, limit: LIMITS.predictRows });
	});
});
