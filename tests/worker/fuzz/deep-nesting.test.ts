import { beforeAll, describe, expect, it } from 'vitest';
import { seedMlflow, type MlflowSeed } from '../routes/mlflow-seed';
import { ALL_ROUTES, fillPath, isMlflow, label } from '../routes/table';
import { seed, type Seeded } from '../v1/fixtures';
import { expectRefused } from './refuse';

/**
 * Deeply nested JSON on every route of both tables that reads a JSON body: 1,001 and 100,000 levels, as a bare
 * array and as an object under a field. Each is 400, in the dialect's shape, with a message naming the nesting
 * limit, and writes nothing. Fails on the code before issue 8's limits work (section "limits": a depth limit at
 * the parser): depth was never checked, so a deep `signature` on POST /api/v1/models/:name/versions was stored
 * at 1,001 levels and a 500 (stack overflow) at 6,000, and elsewhere the refusal named some other fault.
 */

let v1: Seeded;
let m: MlflowSeed;
beforeAll(async () => {
	v1 = await seed();
	m = await seedMlflow('deep');
});

/**
 * Routes with no JSON body to parse: reads, /api/v1 deletes and restores (the path says it all), the byte
 * uploads, predict (its body is read only once the version is servable: predict-bodies.test.ts), and a federated
 * client's registration (no body) and update (float32 bytes: tests/worker/federated/job.test.ts), and checking a
 * model's alert rules now (no body).
 */
function takesJson(method: string, path: string): boolean {
	if (method === 'GET') return false;
	if (/\/api\/v1\/blobs\/|mlflow-artifacts\/artifacts\/\*$|\/predict$/.test(path)) return false;
	if (/\/federated\/jobs\/[^/]+\/(clients|updates)$/.test(path)) return false;
	if (/\/alerts\/evaluate$/.test(path)) return false;
	if (!isMlflow(path) && (method === 'DELETE' || path.endsWith('/restore'))) return false;
	return true;
}
const JSON_ROUTES = ALL_ROUTES.filter((r) => takesJson(r.method, r.path));

const deepArray = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

function values(pattern: string): Record<string, string> {
	return {
		id: pattern.includes('/experiments/') ? v1.experimentId : v1.runId,
		key: 'fz',
		sha256: v1.sha,
		name: v1.model,
		version: '1',
		alias: 'champion'
	};
}

describe('deep nesting on every JSON route', { timeout: 60_000 }, () => {
	it('the JSON routes are most of both tables', () => {
		expect(JSON_ROUTES.length).toBeGreaterThanOrEqual(50);
	});

	const refusals = async (r: (typeof JSON_ROUTES)[number]) => {
		const path = fillPath(r.path, values(r.path));
		const out: [string, string][] = [];
		for (const depth of [1001, 100_000])
			for (const [shape, body] of [
				['array', deepArray(depth)],
				['object under a field', `{"signature":${deepObject(depth)},"name":"x","run_id":"${m.runId}"}`]
			]) {
				const what = `${r.method} ${path}, ${depth} deep, ${shape}`;
				const init = { method: r.method, body, headers: { 'content-type': 'application/json' } };
				out.push([what, await expectRefused(path, { ...init, token: 'test-admin-token' }, what)]);
			}
		return out;
	};

	// The refusals' messages, kept for the next test: the 100,000-deep bodies are most of this file's time.
	const seen = new Map<string, [string, string][]>();
	it.each(JSON_ROUTES.map((r) => [label(r), r] as const))('%s: refused, writes nothing', async (_, r) => {
		seen.set(label(r), await refusals(r));
	});

	it.each(JSON_ROUTES.map((r) => [label(r), r] as const))(
		'%s: the refusal names the nesting limit',
		async (_, r) => {
			for (const [what, message] of seen.get(label(r)) ?? (await refusals(r)))
				expect(message, what).toMatch(/dep|nest/i);
		}
	);
});
