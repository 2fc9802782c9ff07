import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { seedMlflow, type MlflowSeed } from '../routes/mlflow-seed';
import { ALL_ROUTES, fillPath, label } from '../routes/table';
import { seed, type Seeded } from '../v1/fixtures';
import { check, hugeNumberText, loneSurrogateText, runs, unicodeText } from './arbitraries';
import { send } from './refuse';

/**
 * Query strings on every GET route of both route tables (and HEAD, which Hono answers with the GET route):
 * repeated keys, bracketed keys, prototype names, empty keys and values, text beyond ASCII, percent-encoding
 * that decodes to nothing valid, 400-digit numbers. Never a 5xx; a refusal is in the dialect's shape and
 * writes nothing.
 */

let v1: Seeded;
let m: MlflowSeed;
beforeAll(async () => {
	v1 = await seed();
	m = await seedMlflow('qs');
});

const GETS = ALL_ROUTES.filter((r) => r.method === 'GET');

const KEYS = [
	...['experimentId', 'status', 'limit', 'cursor', 'lifecycle', 'exclude', 'prefix'],
	...['experiment_id', 'experiment_ids', 'experiment_ids[]', 'experiment_ids[0]', 'run_id', 'run_uuid'],
	...['name', 'version', 'alias', 'filter', 'max_results', 'page_token', 'order_by', 'view_type', 'path'],
	...['metric_key', 'experiment_name', 'stages', '__proto__', 'constructor', 'toString', '', '[]', 'a[b]']
];

/** Already-encoded query text: some of it valid percent-encoding of odd text, some not valid at all. */
const encoded = (t: string) => encodeURIComponent(t);
const value = fc.oneof(
	unicodeText().map(encoded),
	hugeNumberText.map(encoded),
	fc.constantFrom('', '%', '%ZZ', '%ED%A0%80', '%00', '%FF%FE', '%C0%AF', '+', '%2B', '[]', '=', '%26%3D'),
	// A lone surrogate cannot be percent-encoded as UTF-8; sent as its raw WTF-16 escape instead.
	loneSurrogateText.map((t) =>
		encodeURIComponent(t.raw.replace(/[\ud800-\udfff]/g, (c: string) => `\\u${c.charCodeAt(0).toString(16)}`))
	),
	fc.constantFrom('0', '-1', '1', 'ALL', 'DELETED_ONLY', 'true', 'null', 'NaN')
);
const key = fc.oneof(
	fc.constantFrom(...KEYS).map(encoded),
	unicodeText(6).map(encoded),
	fc.constantFrom('%ZZ', '%')
);
const query = fc
	.array(fc.tuple(key, value, fc.boolean()), { minLength: 1, maxLength: 6 })
	// Repeated keys come from the key pool being small; `flag` drops the `=` (a key with no value at all).
	.map((pairs) => pairs.map(([k, v, flag]) => (flag && !v ? k : `${k}=${v}`)).join('&'));

function values(pattern: string): Record<string, string> {
	return {
		id: pattern.includes('/experiments/') ? v1.experimentId : v1.runId,
		key: 'loss',
		path: 'model/weights.bin',
		sha256: v1.sha,
		name: v1.model,
		version: '1',
		alias: 'champion',
		'*': `${m.artifactRoot}/model/a.txt`
	};
}

describe('fuzz: query strings on every GET route', { timeout: 60_000 }, () => {
	it.each(GETS.map((r) => [label(r), r] as const))('%s', async (_, r) => {
		await check(
			fc.assert(
				fc.asyncProperty(query, fc.constantFrom('GET', 'HEAD'), async (q, method) => {
					const path = `${fillPath(r.path, values(r.path))}?${q}`;
					await send(path, { method, token: 'test-admin-token' }, `query ${q.slice(0, 120)}`);
				}),
				runs(8, 'query-strings')
			)
		);
	});
});
