import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { A, keyOf, listMessages, objectMessages, type Req } from '../routes/mlflow-messages';
import { seedMlflow, type MlflowSeed } from '../routes/mlflow-seed';
import { MLFLOW_ROUTES } from '../routes/table';
import { check, hugeNumberText, jsonish, loneSurrogateText, runs, unicodeText } from './arbitraries';
import { expectRefused, send } from './refuse';

/**
 * Every MLflow route, from the router's own table, against (1) its valid message with one field given the wrong
 * type (a JSON boolean or object; in a query, the field repeated) — always refused, writing nothing — and (2)
 * its message with arbitrary fields added or replaced: any JSON, text beyond ASCII, lone surrogates, 400-digit
 * and out-of-range numbers — never a 5xx, and a refusal writes nothing. Fails on the code before issue 8's
 * write-path work: a 400-digit step or timestamp was a 500 (section "write path": one validation).
 */

let s: MlflowSeed;
// Read when a message is built; before the seed exists (while tests are collected) every field is a placeholder.
const seedView = new Proxy({} as MlflowSeed, { get: (_, k) => (s ? s[k as keyof MlflowSeed] : 'x') });
const MESSAGES: Record<string, () => Req> = {
	...objectMessages(seedView),
	...listMessages(seedView),
	'POST /experiments/create': () => ({ json: { name: 'fz-exp', tags: [{ key: 'k', value: 'v' }] } }),
	'POST /registered-models/create': () => ({ json: { name: 'fz-model', description: 'd' } }),
	'POST /model-versions/transition-stage': () => ({
		json: { name: seedView.model, version: '1', stage: 'Production' }
	})
};
const KEYS = MLFLOW_ROUTES.map((r) => keyOf(r.method, r.path));
beforeAll(async () => {
	s = await seedMlflow('fz');
});

/** A placeholder replaced by raw number text after JSON.stringify, for numbers JSON.stringify cannot write. */
const RAW = '\u0000raw:';

function request(key: string, req: Req) {
	const [method, pattern] = key.split(' ');
	let path = pattern.startsWith(A) ? `${pattern.replace('*', req.sub ?? '')}` : `/api/2.0/mlflow${pattern}`;
	if (req.query) path += `?${new URLSearchParams(req.query)}`;
	const body =
		req.json === undefined ? req.body : JSON.stringify(req.json).replace(/"\\u0000raw:([^"]*)"/g, '$1');
	return {
		path,
		init: { method, body, headers: { 'content-type': 'application/json' }, token: 'test-admin-token' }
	};
}

const wrongType = fc.oneof(
	fc.boolean(),
	fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 })
);

const anyValue = fc.oneof(
	jsonish(3),
	unicodeText(),
	loneSurrogateText,
	hugeNumberText.map((t) => `${RAW}${t}`)
);

describe('fuzz: every MLflow route', { timeout: 60_000 }, () => {
	it('every route in the table has a message here', () => {
		expect(KEYS.filter((k) => !MESSAGES[k])).toEqual([]);
	});

	const withFields = KEYS.filter((k) => {
		const req = MESSAGES[k]?.();
		return req && Object.keys(req.json ?? req.query ?? {}).length > 0;
	});

	it.each(withFields)('%s: one field of the wrong type is refused and writes nothing', async (key) => {
		const fields = Object.keys(MESSAGES[key]().json ?? MESSAGES[key]().query ?? {});
		await check(
			fc.assert(
				fc.asyncProperty(fc.constantFrom(...fields), wrongType, async (field, value) => {
					const req = MESSAGES[key]();
					if (req.json) req.json = { ...req.json, [field]: value };
					const { path, init } = request(key, req);
					// A query cannot carry a boolean or an object: the field repeated is a list where one value belongs.
					const url = req.query
						? `${path}&${encodeURIComponent(field)}=${encodeURIComponent(JSON.stringify(value))}`
						: path;
					await expectRefused(url, init, `${field}: ${JSON.stringify(value)}`);
				}),
				runs(5, 'mlflow-routes wrong type')
			)
		);
	});

	/** The fields holding a number (or int64 text); a metric's step and timestamp even where the message omits them. */
	const numericFields = (key: string) => {
		const m = MESSAGES[key]().json ?? MESSAGES[key]().query ?? {};
		const named = Object.entries(m)
			.filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)))
			.map(([k]) => k);
		return [...new Set([...named, ...('value' in m ? ['step', 'timestamp'] : [])])];
	};

	it.each(withFields.filter((k) => numericFields(k).length))(
		'%s: numbers past any range, as JSON numbers or as text, are never a 5xx',
		async (key) => {
			await check(
				fc.assert(
					fc.asyncProperty(
						fc.constantFrom(...numericFields(key)),
						hugeNumberText,
						fc.boolean(),
						fc.constantFrom(undefined, 'NaN', 'Infinity', '-Infinity'),
						async (field, text, asString, special) => {
							const req = MESSAGES[key]();
							if (req.query) req.query = { ...req.query, [field]: text };
							else {
								req.json = { ...req.json, [field]: asString ? text : `${RAW}${text}` };
								// A metric value MLflow spells as text takes another path through the write (specialMetrics).
								if (special && 'value' in req.json && field !== 'value') req.json.value = special;
							}
							const { path, init } = request(key, req);
							await send(path, init, `${field}: ${asString ? JSON.stringify(text) : text}, value ${special}`);
						}
					),
					{
						...runs(12, 'mlflow-routes huge numbers'),
						// Always tried, whatever the seed: 400 digits as int64 text in each numeric field, with and
						// without a metric value spelled "NaN" (it took another path through the write).
						examples: numericFields(key).flatMap((f): [string, string, boolean, string | undefined][] => [
							[f, '1'.repeat(400), true, 'NaN'],
							[f, '1'.repeat(400), true, undefined]
						])
					}
				)
			);
		}
	);

	it.each(KEYS)('%s: arbitrary fields are never a 5xx, and a refusal writes nothing', async (key) => {
		const fields = Object.keys(MESSAGES[key]?.().json ?? MESSAGES[key]?.().query ?? {});
		const name = fc.oneof(
			...(fields.length ? [fc.constantFrom(...fields)] : []),
			fc.constantFrom(
				'step',
				'timestamp',
				'value',
				'max_results',
				'page_token',
				'filter',
				'order_by',
				'tags'
			),
			unicodeText(8)
		);
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.dictionary(name, anyValue, { minKeys: 1, maxKeys: 3 }),
					unicodeText(30),
					async (extra, sub) => {
						const req = MESSAGES[key]();
						if (req.query)
							req.query = {
								...req.query,
								...Object.fromEntries(
									Object.entries(extra).map(([k, v]) => [
										k,
										String(typeof v === 'string' ? v.replace(RAW, '') : JSON.stringify(v))
									])
								)
							};
						else if (req.sub !== undefined)
							req.sub = `${req.sub.split('/').slice(0, 3).join('/')}/${encodeURIComponent(sub)}`;
						else req.json = { ...req.json, ...extra };
						const { path, init } = request(key, req);
						await send(path, init, JSON.stringify(extra).slice(0, 200));
					}
				),
				runs(6, 'mlflow-routes arbitrary fields')
			)
		);
	});
});
