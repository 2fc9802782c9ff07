import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, seed, snapshot, type Seeded } from './fixtures';
import { V1_ROUTES } from '../routes/table';

/**
 * Every write route against broken bodies: one field of a valid body given the wrong type, a string or array
 * past its limit, a field missing or one too many, text that is not JSON, another content type, a body over the
 * size limit. Each must be a 4xx with `{error:{code,message}}` (never a 5xx) and leave every table as it was.
 */

type Kind = 'string' | 'number' | 'array' | 'record';
interface Field {
	kind: Kind;
	/** Longest valid string / longest valid array or record. */
	max?: number;
	/** A required field: leaving it out is an error too. */
	required?: boolean;
}
interface Route {
	method: string;
	path: (s: Seeded) => string;
	valid: (s: Seeded) => Record<string, unknown>;
	fields: Record<string, Field>;
}

const str = (max: number, required = false): Field => ({ kind: 'string', max, required });
const num = (required = false): Field => ({ kind: 'number', required });
const arr = (max: number): Field => ({ kind: 'array', max });
const rec = (max?: number): Field => ({ kind: 'record', max });
const metric = { key: 'm', value: 1, step: 0, timestamp: 1 };

const ROUTES: Route[] = [
	{
		method: 'POST',
		path: () => '/api/v1/workspaces',
		valid: () => ({ id: 'fz-ws', name: 'w' }),
		fields: { id: str(40, true), name: str(500, true) }
	},
	{
		method: 'PATCH',
		path: () => '/api/v1/workspaces/current',
		valid: () => ({ name: 'w' }),
		fields: { name: str(500, true) }
	},
	{
		method: 'POST',
		path: () => '/api/v1/tokens',
		valid: () => ({ name: 't', scopes: ['read'] }),
		fields: { name: str(500, true), scopes: arr(6) }
	},
	{
		method: 'POST',
		path: () => '/api/v1/experiments',
		valid: () => ({ name: 'fz' }),
		fields: { name: str(500, true) }
	},
	{
		method: 'PATCH',
		path: (s) => `/api/v1/experiments/${s.experimentId}`,
		valid: () => ({ name: 'fz' }),
		fields: { name: str(500, true) }
	},
	{
		method: 'POST',
		path: () => '/api/v1/runs',
		valid: (s) => ({
			experimentId: s.experimentId,
			name: 'r',
			params: { a: '1' },
			tags: { b: '2' },
			startedAt: 5
		}),
		fields: {
			experimentId: str(64, true),
			name: str(500),
			params: rec(100),
			tags: rec(100),
			startedAt: num(),
			id: str(64)
		}
	},
	{
		method: 'PATCH',
		path: (s) => `/api/v1/runs/${s.runId}`,
		valid: () => ({ name: 'n', note: 'x' }),
		fields: { name: str(500), note: str(5000), status: str(20), endedAt: num() }
	},
	{
		method: 'POST',
		path: (s) => `/api/v1/runs/${s.runId}/log-batch`,
		valid: () => ({
			metrics: [metric],
			params: [{ key: 'p', value: 'v' }],
			tags: [{ key: 't', value: 'v' }]
		}),
		fields: { metrics: arr(1000), params: arr(100), tags: arr(100) }
	},
	{
		method: 'POST',
		path: (s) => `/api/v1/runs/${s.runId}/artifacts`,
		valid: (s) => ({ name: 'fz/a.bin', sha256: s.sha, mediaType: 'application/octet-stream' }),
		fields: { name: str(250, true), sha256: str(64, true), mediaType: str(200), bytes: num() }
	},
	{
		method: 'POST',
		path: () => '/api/v1/models',
		valid: () => ({ name: 'fz', description: 'd' }),
		fields: { name: str(256, true), description: str(5000) }
	},
	{
		method: 'PATCH',
		path: (s) => `/api/v1/models/${s.model}`,
		valid: () => ({ description: 'd' }),
		fields: { description: str(5000, true) }
	},
	{
		method: 'PUT',
		path: (s) => `/api/v1/models/${s.model}/tags/fz`,
		valid: () => ({ value: 'v' }),
		fields: { value: str(8000, true) }
	},
	{
		method: 'PUT',
		path: (s) => `/api/v1/models/${s.model}/aliases/fz`,
		valid: () => ({ version: 1 }),
		fields: { version: num(true) }
	},
	{
		method: 'PUT',
		path: (s) => `/api/v1/models/${s.model}/aliases/fz/traffic`,
		valid: () => ({ shadow: { version: 2 } }),
		fields: { canary: rec(), shadow: rec() }
	},
	{
		method: 'POST',
		path: (s) => `/api/v1/models/${s.model}/versions`,
		valid: (s) => ({
			sourceRunId: s.runId,
			artifactSha256: s.sha,
			signature: {},
			description: 'd',
			tags: { a: 'b' }
		}),
		fields: {
			sourceRunId: str(64),
			artifactSha256: str(64),
			signature: rec(),
			description: str(5000),
			tags: rec(100)
		}
	},
	{
		method: 'PATCH',
		path: (s) => `/api/v1/models/${s.model}/versions/1`,
		valid: () => ({ description: 'd' }),
		fields: { description: str(5000, true) }
	},
	{
		method: 'PUT',
		path: (s) => `/api/v1/models/${s.model}/versions/1/tags/fz`,
		valid: () => ({ value: 'v' }),
		fields: { value: str(8000, true) }
	}
];

/** Any JSON, text beyond ASCII, nested up to four deep (deep-nesting.test.ts goes to 100,000). */
const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' });
/** A value of some other JSON type than the field's (never null: some fields are nullable). */
function wrongType(kind: Kind): fc.Arbitrary<unknown> {
	const byKind: Record<Kind, fc.Arbitrary<unknown>> = {
		string: fc.string({ maxLength: 8, unit: 'grapheme' }),
		number: fc.double({ noNaN: true }),
		array: fc.array(anyJson, { maxLength: 3 }),
		record: fc.dictionary(fc.string({ maxLength: 5 }), anyJson, { maxKeys: 3 })
	};
	return fc.oneof(
		fc.boolean(),
		...(Object.keys(byKind) as Kind[]).filter((k) => k !== kind).map((k) => byKind[k])
	);
}

function oversized(f: Field): fc.Arbitrary<unknown> | null {
	if (f.max === undefined) return null;
	const over = fc.integer({ min: f.max + 1, max: f.max + 40 });
	if (f.kind === 'string') return over.map((n) => 'x'.repeat(n));
	if (f.kind === 'array')
		return over.map((n) => Array.from({ length: n }, (_, i) => ({ ...metric, key: `k${i}`, value: `${i}` })));
	if (f.kind === 'record')
		return over.map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])));
	return null;
}

type Sent = { body: BodyInit; type: string; what: string };
const asJson = (value: unknown, what: string): Sent => ({
	body: JSON.stringify(value),
	type: 'application/json',
	what
});

function broken(route: Route, s: Seeded): fc.Arbitrary<Sent> {
	const valid = route.valid(s);
	const names = Object.keys(route.fields);
	const field = fc.constantFrom(...names);
	const variants: fc.Arbitrary<Sent>[] = [
		field.chain((name) =>
			wrongType(route.fields[name].kind).map((v) => asJson({ ...valid, [name]: v }, `${name}: wrong type`))
		),
		fc
			.tuple(
				fc
					.string({ minLength: 1, maxLength: 12, unit: 'grapheme' })
					.filter((k) => !names.includes(k) && k !== '__proto__'),
				anyJson
			)
			.map(([k, v]) => asJson({ ...valid, [k]: v }, `extra field ${k}`)),
		fc
			.oneof(anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)))
			.map((v) => asJson(v, 'not an object')),
		fc
			.string({ maxLength: 30 })
			.filter((t) => {
				try {
					JSON.parse(t);
					return false;
				} catch {
					return true;
				}
			})
			.map((t) => ({ body: t, type: 'application/json', what: 'not JSON' })),
		fc
			.constantFrom(
				'text/plain',
				'application/x-www-form-urlencoded',
				'multipart/form-data; boundary=x',
				'application/jsonp'
			)
			.map((type) => ({ body: JSON.stringify(valid), type, what: `content-type ${type}` }))
	];
	const big = names.filter((n) => oversized(route.fields[n]));
	if (big.length)
		variants.push(
			fc
				.constantFrom(...big)
				.chain((name) =>
					(oversized(route.fields[name]) as fc.Arbitrary<unknown>).map((v) =>
						asJson({ ...valid, [name]: v }, `${name}: too long`)
					)
				)
		);
	const required = names.filter((n) => route.fields[n].required);
	if (required.length)
		variants.push(
			fc.constantFrom(...required).map((name) => {
				const copy = { ...valid };
				delete copy[name];
				return asJson(copy, `${name} missing`);
			})
		);
	return fc.oneof(...variants);
}

async function expectRefused(token: string, method: string, path: string, sent: Sent) {
	const before = await snapshot(testEnv.DB);
	const res = await api(path, { method, body: sent.body, headers: { 'content-type': sent.type }, token });
	const text = await res.text();
	const label = `${method} ${path} (${sent.what}) → ${res.status} ${text.slice(0, 200)}`;
	expect(res.status, label).toBeGreaterThanOrEqual(400);
	expect(res.status, label).toBeLessThan(500);
	const body = JSON.parse(text) as { error: { code: unknown; message: unknown } };
	expect(typeof body.error.code, label).toBe('string');
	expect(typeof body.error.message, label).toBe('string');
	expect(await snapshot(testEnv.DB), label).toBe(before);
}

/** JSON routes fuzzed in their own files (tests/worker/fuzz/, tests/worker/batch/): sync envelopes, predict bodies, batch inputs, blob bytes here below. */
const ELSEWHERE = [
	'POST /sync/push',
	'PUT /blobs/:sha256',
	'POST /models/:name/versions/:version/predict',
	'POST /models/:name/aliases/:alias/predict',
	'POST /models/:name/predict',
	// A file or JSON naming a blob: its table of bad inputs is in tests/worker/batch/batch.test.ts.
	'POST /models/:name/batch',
	// A job's settings, a client's registration (no body) and its update (float32 bytes): their tables of refusals
	// are in tests/worker/federated/job.test.ts.
	'POST /federated/jobs',
	'POST /federated/jobs/:id/clients',
	'POST /federated/jobs/:id/updates',
	// Labels for logged predictions: tests/worker/predictions/feedback.test.ts.
	'POST /models/:name/feedback',
	// A reference profile (its table of refusals is in tests/worker/monitoring/drift.test.ts).
	'PUT /models/:name/versions/:version/reference',
	// An alert rule (its table of refusals is in tests/worker/monitoring/alerts.test.ts).
	'POST /models/:name/alerts',
	// Checks the rules now: it reads no body.
	'POST /models/:name/alerts/evaluate',
	// Retraining: its tables of refusals are in tests/worker/retrain/retrain.test.ts.
	'POST /models/:name/retrain',
	'POST /retrain/:id/claim',
	'POST /retrain/:id/gate',
	'POST /retrain/:id/conclude',
	'POST /retrain/:id/cancel',
	'POST /retrain/data',
	// A participation token's optional name: tests/worker/federated/tokens.test.ts.
	'POST /federated/jobs/:id/tokens'
];

let s: Seeded;
beforeAll(async () => {
	s = await seed();
});

describe('fuzz: broken bodies on every write route are a 4xx and write nothing', { timeout: 30_000 }, () => {
	it('the table covers every /api/v1 route that reads a JSON body, or says which file fuzzes it', () => {
		// Compared by shape, every path parameter a `*`: the table's `:key{.+}`, the fuzz's concrete `fz` and `1`.
		const shape = (method: string, path: string) =>
			`${method} ${path
				.replace('/api/v1', '')
				.split('/')
				.map((seg) => (/^(:\w+(\{[^}]*\})?|fz|1)$/.test(seg) ? '*' : seg))
				.join('/')}`;
		const placeholders = { experimentId: ':id', runId: ':id', sha: ':sha256', model: ':name' };
		const covered = [
			...ROUTES.map((r) => shape(r.method, r.path(placeholders))),
			...ELSEWHERE.map((r) => shape(...(r.split(' ') as [string, string])))
		];
		const reading = V1_ROUTES.filter(
			(r) => !['GET', 'DELETE'].includes(r.method) && !r.path.endsWith('/restore')
		);
		expect(reading.map((r) => shape(r.method, r.path)).filter((r) => !covered.includes(r))).toEqual([]);
	});

	it.each(
		ROUTES.map(
			(r) =>
				[
					`${r.method} ${r.path({ experimentId: ':id', runId: ':id', sha: ':sha', model: ':name' })}`,
					r
				] as const
		)
	)('%s', async (_, route) => {
		// A token per route keeps each well inside its rate-limit bucket.
		const token = await otherWorkspaceToken('local', ['admin']);
		await fc.assert(
			fc.asyncProperty(broken(route, s), (sent) => expectRefused(token, route.method, route.path(s), sent)),
			{ numRuns: 50 }
		);
	});

	it('bodies over the JSON limit are 413 on every route', async () => {
		const token = await otherWorkspaceToken('local', ['admin']);
		const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
		for (const r of ROUTES)
			await expectRefused(token, r.method, r.path(s), {
				body: huge,
				type: 'application/json',
				what: 'over 1 MiB'
			});
	});

	it('PUT /blobs: arbitrary bytes under another hash are 400 hash_mismatch; bad media types 400', async () => {
		const token = await otherWorkspaceToken('local', ['admin']);
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ maxLength: 64 }),
				fc.oneof(
					fc.constant('application/octet-stream'),
					fc
						.string({ maxLength: 20 })
						.filter(
							(t) => !/^[\w.+-]+\/[\w.+-]+$/.test(t.trim()) && t.trim() !== '' && /^[\x20-\x7e]*$/.test(t)
						)
				),
				(bytes, type) =>
					expectRefused(token, 'PUT', `/api/v1/blobs/${'0'.repeat(64)}`, {
						body: bytes,
						type,
						what: `bytes as ${type}`
					})
			),
			{ numRuns: 50 }
		);
	});

	it('arbitrary path segments are a 4xx, never a 5xx, and never write', async () => {
		const FIXTURE_NAMES = new Set([s.runId, s.model, 't', 'stage', 'team', 'champion', 'challenger']);
		const token = await otherWorkspaceToken('local', ['admin']);
		const templates: [string, (seg: string) => string][] = [
			['DELETE', (x) => `/api/v1/runs/${x}`],
			['POST', (x) => `/api/v1/experiments/${x}/restore`],
			['DELETE', (x) => `/api/v1/models/${x}`],
			['DELETE', (x) => `/api/v1/models/${s.model}/versions/${x}`],
			['DELETE', (x) => `/api/v1/models/${s.model}/aliases/${x}`],
			['DELETE', (x) => `/api/v1/runs/${s.runId}/tags/${x}`],
			['DELETE', (x) => `/api/v1/tokens/${x}`]
		];
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...templates),
				// A segment that names something the fixture made (tag "t", version "1") may rightly be found and
				// written; the property is about everything else. Prototype names (toString) must be refused.
				fc
					.oneof(
						fc.string({ minLength: 1, maxLength: 300 }),
						fc.constantFrom('toString', 'constructor', '__proto__')
					)
					.filter((seg) => !FIXTURE_NAMES.has(seg) && !/^\d+$/.test(seg)),
				async ([method, path], seg) => {
					await expectRefused(token, method, path(encodeURIComponent(seg)), {
						body: '',
						type: 'application/json',
						what: `segment ${JSON.stringify(seg)}`
					});
				}
			),
			{ numRuns: 60 }
		);
	});
});
