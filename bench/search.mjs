// bench:search — MLflow runs/search over 100,000 runs: the SQL path (filter and order compiled to one SELECT over
// latest_metrics, run_params and their indexes) beside the in-memory path (every run loaded, filtered and sorted in
// the Worker), on the same local D1 in one run. The rows go in as bulk SQL (`wrangler d1 execute --file`), not
// through the API: 100,000 runs through log-batch would take longer than the bench. latest_metrics is filled by
// migration 0004's backfill statement, the same rule the write path keeps. Query: a metric + param filter ordered
// by a metric, the first page and a deep page (offset DEEP), each REPS times; the median and max are reported.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer } from '../scripts/server.mjs';
import { runWrangler } from '../scripts/wrangler.mjs';
import { median, round, table } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 100_000);
const REPS = Number(process.env.BENCH_SEARCH_REPS ?? 5);
const PAGE = 100;
const DEEP = Number(process.env.BENCH_SEARCH_DEEP ?? 5_000); // the offset of the deep page (the filter below matches about RUNS / 10 runs)
const WORKSPACE = 'local'; // the admin token's workspace
const EXPERIMENT = 'bench-search';
const QUERY = {
	filter: "metrics.acc > 0.5 and params.lr = '0.01'",
	order_by: ['metrics.acc DESC']
};

/** 100,000 runs, each with params lr (5 values) and batch, a tag, and metrics acc and loss at 3 steps each. */
function dataSql() {
	const backfill = /INSERT INTO latest_metrics[^;]*;/.exec(
		readFileSync(join(ROOT, 'workers/migrations/0004_search.sql'), 'utf8')
	)[0];
	return `
INSERT INTO experiments (workspace_id, id, name, created_at, updated_at)
VALUES ('${WORKSPACE}', '${EXPERIMENT}', '${EXPERIMENT}', 0, 0);
CREATE TABLE bench_n AS WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${RUNS - 1}) SELECT i FROM c;
INSERT INTO runs (workspace_id, id, experiment_id, name, status, started_at, ended_at, updated_at)
SELECT '${WORKSPACE}', printf('run%07d', i), '${EXPERIMENT}', 'run-' || i, 'finished', 1750000000000 + i * 1000,
       1750000000000 + i * 1000 + 500, 0 FROM bench_n;
INSERT INTO run_params (workspace_id, run_id, key, value)
SELECT '${WORKSPACE}', printf('run%07d', i), 'lr', CASE i % 5 WHEN 0 THEN '0.01' WHEN 1 THEN '0.001' WHEN 2 THEN '0.1'
       WHEN 3 THEN '0.03' ELSE '0.003' END FROM bench_n
UNION ALL SELECT '${WORKSPACE}', printf('run%07d', i), 'batch', CAST(32 << (i % 4) AS TEXT) FROM bench_n;
INSERT INTO run_tags (workspace_id, run_id, key, value) SELECT '${WORKSPACE}', printf('run%07d', i), 'team', 'team-' || (i % 7) FROM bench_n;
INSERT INTO run_metrics (workspace_id, run_id, key, step, timestamp, value)
SELECT '${WORKSPACE}', printf('run%07d', i), k.key, s.step, 1750000000000 + s.step,
       CASE k.key WHEN 'acc' THEN ((i * 7919 + s.step * 104729) % 10007) / 10007.0 ELSE 1.0 / (1 + i % 97 + s.step) END
FROM bench_n, (SELECT 'acc' AS key UNION ALL SELECT 'loss') AS k, (SELECT 0 AS step UNION ALL SELECT 1 UNION ALL SELECT 2) AS s;
${backfill}
DROP TABLE bench_n;
`;
}

async function search(url, token, body) {
	const started = performance.now();
	const res = await fetch(`${url}/api/2.0/mlflow/runs/search`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify({ experiment_ids: [EXPERIMENT], ...QUERY, ...body })
	});
	const text = await res.text();
	const ms = performance.now() - started;
	if (res.status !== 200) throw new Error(`runs/search answered ${res.status}: ${text.slice(0, 300)}`);
	const json = JSON.parse(text);
	return { ms, ids: (json.runs ?? []).map((r) => r.info.run_id), next: json.next_page_token };
}

/** The SQL path's token for offset DEEP: its tokens are keyset cursors, so the bench pages there (1,000 a page). */
async function sqlDeepToken(url, token) {
	let next;
	for (let seen = 0; seen < DEEP;) {
		const p = await search(url, token, { max_results: Math.min(1000, DEEP - seen), page_token: next });
		seen += p.ids.length;
		next = p.next;
		if (!next)
			throw new Error(`The filter matched only ${seen} runs: fewer than the deep page's offset ${DEEP}.`);
	}
	return next;
}

async function measure(url, token, pageToken) {
	const samples = [];
	let ids = [];
	for (let i = 0; i < REPS; i++) {
		const r = await search(url, token, {
			max_results: PAGE,
			...(pageToken ? { page_token: pageToken } : {})
		});
		samples.push(r.ms);
		ids = r.ids;
	}
	return { median: round(median(samples)), max: round(Math.max(...samples)), ids };
}

export async function run({ url, adminToken, persistTo }) {
	const loadStarted = performance.now();
	const file = join(persistTo, 'bench-search.sql');
	writeFileSync(file, dataSql());
	await runWrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--file', file, '--yes'], {
		quiet: true
	});
	const loadSeconds = round((performance.now() - loadStarted) / 1000);

	const sqlFirst = await measure(url, adminToken);
	const sqlDeep = await measure(url, adminToken, await sqlDeepToken(url, adminToken));

	// The in-memory path: a second wrangler dev on the same local D1, with the bench-only var that selects it.
	const memory = await startServer({
		port: await freePort(),
		persistTo,
		quiet: true,
		adminToken,
		vars: { SEARCH_IN_MEMORY: '1' }
	});
	// It may not answer at all (workerd restarts an isolate that outgrows its memory): that is reported, not fatal.
	const attempt = (pageToken) =>
		measure(memory.url, adminToken, pageToken).catch((e) => ({
			error: String(e.message).slice(0, 160),
			ids: []
		}));
	let memFirst;
	let memDeep;
	try {
		memFirst = await attempt();
		memDeep = await attempt(btoa(JSON.stringify({ offset: DEEP })));
	} finally {
		await memory.stop();
	}
	const same = (a, b) =>
		!a.error && !b.error && a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]);
	const rows = [
		['first page', 'SQL', sqlFirst],
		['first page', 'in memory', memFirst],
		[`deep page (offset ${DEEP})`, 'SQL', sqlDeep],
		[`deep page (offset ${DEEP})`, 'in memory', memDeep]
	];
	const text = [
		`${RUNS} runs loaded in ${loadSeconds} s; filter ${QUERY.filter}, order_by ${QUERY.order_by}, ${PAGE} a page, ${REPS} reps`,
		'',
		table(
			['page', 'path', 'median ms', 'max ms', 'rows'],
			rows.map(([p, path, m]) => [
				p,
				path,
				m.error ? 'failed' : m.median,
				m.error ? '-' : m.max,
				m.ids.length
			])
		),
		...rows.filter(([, , m]) => m.error).map(([p, path, m]) => `${p}, ${path}: ${m.error}`),
		'',
		`Same ids, SQL vs in memory: first page ${same(sqlFirst, memFirst)}, deep page ${same(sqlDeep, memDeep)}`
	].join('\n');
	return {
		text,
		json: {
			runs: RUNS,
			reps: REPS,
			page: PAGE,
			deepOffset: DEEP,
			query: QUERY,
			loadSeconds,
			results: rows.map(([page, path, m]) =>
				m.error
					? { page, path, error: m.error }
					: { page, path, medianMs: m.median, maxMs: m.max, rows: m.ids.length }
			),
			sameIds: { first: same(sqlFirst, memFirst), deep: same(sqlDeep, memDeep) }
		}
	};
}
