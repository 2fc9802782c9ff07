// fed:sim's printed tables and its SVG chart (test accuracy against rounds, one line per configuration).
import { median, round, table } from '../lib.mjs';
import { PAPER_HEADLINE, PAPER_SOURCE, paperFigure } from './paper.mjs';

const key = (r) => (r.fedsgd ? 'fedsgd' : `E${r.E}B${r.B === 'inf' ? 'inf' : r.B}`);
const label = (r) => (r.fedsgd ? 'FedSGD (E=1, B=∞)' : `FedAvg E=${r.E}, B=${r.B === 'inf' ? '∞' : r.B}`);
const pct = (x) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);
const reachedText = (r) =>
	r.failed
		? `failed after ${r.history.length}`
		: r.reached
			? String(r.reached)
			: `>${r.history.length}${r.stoppedBy === 'time' ? ' (time)' : ''}`;
const best = (r) => (r.history.length ? Math.max(...r.history.map((h) => h.accuracy)) : null);
const med = (xs) => (xs.length ? round(median(xs), 0) : '-');
/** FedAvg's speed-up over FedSGD in rounds to the target: "n×", "≥n×" when FedSGD never got there, or n/a. */
function speedup(r, sgd) {
	if (!sgd || r === sgd) return '-';
	if (r.failed || sgd.failed) return 'n/a';
	if (r.reached && sgd.reached) return `${round(sgd.reached / r.reached, 1)}×`;
	if (r.reached && !sgd.reached) return `≥${round(sgd.history.length / r.reached, 1)}×`;
	return 'n/a';
}

export function report(results, { options, versions, wallS }) {
	const out = [];
	const groups = [...new Set(results.map((r) => r.group))];
	const perClient = Math.floor(options.train / options.clients);
	out.push(
		`MNIST from the \`mnist\` package: ${options.train} train / ${10000 - options.train} test digits; ${options.clients} clients ` +
			`(${perClient} examples each; the paper: 600 of 60,000), C = ${options.fraction} (${Math.ceil(options.fraction * options.clients)} a round), plain SGD.`,
		`u = local updates per client per round = E·n/B (n = ${perClient}): the paper's u is 6× ours for the same E and B.`,
		`Models: ${[...versions].map(([k, v]) => `${k} ${v.parameters.toLocaleString('en')} params (${v.error ? `not registered: ${v.error}` : `${v.name} v${v.version}`})`).join(', ')}.`,
		`Paper: ${PAPER_HEADLINE}. Its figures are for 60,000 digits and other targets (${PAPER_SOURCE}); "not quoted" where no source was at hand.`
	);
	const plain = (g) => !g.endsWith('/stragglers') && !g.endsWith('/encodings');
	for (const g of groups.filter(plain)) {
		const rows = results.filter((r) => r.group === g).sort((a, b) => b.fedsgd - a.fedsgd);
		const sgd = rows.find((r) => r.fedsgd);
		out.push(
			'',
			`${g}: rounds to ${pct(rows[0].target)} test accuracy (cap ${rows[0].cap} rounds${Number.isFinite(options.budget) ? `, --budget ${options.budget} min shared` : ''})`
		);
		out.push(
			table(
				[
					'config',
					'lr',
					'u',
					'rounds',
					'speed-up',
					'paper rounds (speed-up)',
					'best acc',
					'final acc',
					'wall s',
					'ms/round',
					'to close ms'
				],
				rows.map((r) => {
					const n = perClient;
					const u = r.E * Math.ceil(n / (r.B === 'inf' ? n : Math.min(n, r.B)));
					const paper = paperFigure(r.model, r.partition, key(r));
					const speed = speedup(r, sgd);
					return [
						label(r),
						r.lr,
						u,
						String(reachedText(r)),
						speed,
						paper
							? `${paper.rounds} at ${pct(paper.target)}${r.fedsgd ? '' : ` (${round(paper.speedup, 1)}×)`}`
							: 'not quoted',
						pct(best(r)),
						pct(r.final),
						round(r.wallMs / 1000, 0),
						med(r.history.map((h) => h.ms)),
						med(r.history.map((h) => h.closeMs))
					];
				})
			)
		);
		for (const r of rows.filter((r) => r.failed)) out.push(`  ${label(r)} FAILED: ${r.failed}`);
	}
	const pairs = groups.filter(plain).flatMap((g) => {
		const rows = results.filter((r) => r.group === g);
		const sgd = rows.find((r) => r.fedsgd);
		return sgd ? rows.filter((r) => r !== sgd).map((r) => [r, sgd]) : [];
	});
	if (pairs.length) {
		const quoted = paperFigure('cnn', 'iid', 'E5B10');
		out.push(
			'',
			`FedAvg's speed-up over FedSGD (rounds to the target), ours beside the paper's. The paper's only quoted cell is the CNN on IID data at 99%: FedSGD ${paperFigure('cnn', 'iid', 'fedsgd').rounds}, FedAvg E=5 B=10 ${quoted.rounds} rounds (${round(quoted.speedup, 1)}×); elsewhere its headline, 10–100×. ours ÷ paper < 1: a smaller speed-up than the paper's.`,
			table(
				[
					'data, model',
					'config',
					'target',
					'FedSGD',
					'FedAvg',
					'ours',
					'paper (target: FedSGD → FedAvg)',
					'ours ÷ paper'
				],
				pairs.map(([r, sgd]) => {
					const p = paperFigure(r.model, r.partition, key(r));
					const ours = speedup(r, sgd);
					const oursN = r.reached && sgd.reached ? sgd.reached / r.reached : null;
					return [
						`${r.partition}, ${r.model}`,
						label(r),
						pct(r.target),
						reachedText(sgd),
						reachedText(r),
						ours,
						p
							? `${pct(p.target)}: ${p.rounds * p.speedup} → ${p.rounds} (${round(p.speedup, 1)}×)`
							: 'not quoted (headline 10–100×)',
						!oursN
							? 'n/a'
							: p
								? String(round(oursN / p.speedup, 2))
								: `${round(oursN / 10, 2)} (÷ 10, the headline's low end)`
					];
				})
			)
		);
	}
	const prox = results.filter((r) => r.group.endsWith('/stragglers'));
	if (prox.length) {
		out.push(
			'',
			`FedProx vs FedAvg, ${prox[0].model} pathological non-IID, 50% of each round's clients straggle (E' uniform in [1, E)), both keep the stragglers' partial work:`
		);
		out.push(
			table(
				[
					'strategy',
					'E',
					'B',
					'lr',
					'rounds to target',
					'best acc',
					'final acc',
					'acc at round 10',
					'stragglers',
					'wall s'
				],
				prox.map((r) => [
					r.strategy.name === 'fedprox' ? `FedProx μ=${r.strategy.mu}` : 'FedAvg (μ=0)',
					r.E,
					r.B,
					r.lr,
					String(reachedText(r)),
					pct(best(r)),
					pct(r.final),
					pct(r.history[9]?.accuracy ?? null),
					r.history.reduce((s, h) => s + h.stragglers, 0),
					round(r.wallMs / 1000, 0)
				])
			)
		);
	}
	for (const r of prox.filter((r) => r.failed)) out.push(`  ${r.strategy.name} FAILED: ${r.failed}`);
	const enc = results.filter((r) => r.group.endsWith('/encodings'));
	if (enc.length) {
		const base = enc.find((r) => r.encoding === 'float32');
		const at = base?.history.length ?? Math.min(...enc.map((r) => r.history.length));
		const accAt = (r) => r.history[at - 1]?.accuracy ?? null;
		const bytes = (r) => r.history[0]?.bytesUp / r.history[0]?.sampled;
		out.push(
			'',
			`Update encodings, ${enc[0].model} ${enc[0].partition} ${label(enc[0])}, ${at} rounds each (float16/int8: the difference from the global model with error feedback, the app's quantize.ts). Same data, seeds and client shuffles; the server samples the clients (crypto randomness), so the runs differ in that too.`,
			table(
				[
					'encoding',
					'bytes/update',
					'fewer bytes',
					'MB up (all rounds)',
					`acc at round ${at}`,
					'Δ vs float32 (points)',
					'mean acc, last 5',
					'rounds to target',
					'wall s'
				],
				enc.map((r) => {
					const last5 = r.history.slice(-5).map((h) => h.accuracy);
					return [
						r.encoding,
						r.history.length ? Math.round(bytes(r)) : '-',
						base && r.history.length ? `${round(bytes(base) / bytes(r), 2)}×` : '-',
						round(r.history.reduce((s, h) => s + h.bytesUp, 0) / 1e6, 1),
						pct(accAt(r)),
						base && accAt(r) !== null && accAt(base) !== null
							? `${(100 * (accAt(r) - accAt(base))).toFixed(2)}`
							: '-',
						last5.length ? pct(last5.reduce((a, b) => a + b, 0) / last5.length) : '-',
						r.failed ? `failed: ${r.failed}` : r.reached ? String(r.reached) : `>${r.history.length}`,
						round(r.wallMs / 1000, 0)
					];
				})
			)
		);
	}
	const all = results.flatMap((r) => r.history);
	out.push(
		'',
		"Where a round's time goes (medians over every round of every configuration, ms):",
		table(
			['rounds', 'round', 'poll all tasks', 'train (sum)', 'to close', 'slowest POST', 'eval'],
			[
				[
					all.length,
					round(median(all.map((h) => h.ms)), 0),
					round(median(all.map((h) => h.pollMs)), 0),
					round(median(all.map((h) => h.trainMs)), 0),
					round(median(all.map((h) => h.closeMs)), 0),
					round(median(all.map((h) => h.lastPostMs)), 0),
					round(median(all.map((h) => h.evalMs)), 0)
				]
			]
		),
		"poll = every client's GET task (all at once); to close = from the last client's training to the round's close (the updates still queued, then the closing one: the object averages, exports ONNX and publishes the version inside that request); slowest POST = the longest update request, usually the closing one.",
		`Round 1's version of every job was checked: an ONNX artifact and its signature (${results
			.filter((r) => !r.failed)
			.map((r) => (r.published?.onnx ? 'ok' : 'missing'))
			.filter((v, i, a) => a.indexOf(v) === i)
			.join(', ')}).`,
		`Wall time: ${round(wallS / 60, 1)} min.`
	);
	return out.join('\n');
}

const COLORS = [
	'#1f77b4',
	'#d62728',
	'#2ca02c',
	'#ff7f0e',
	'#9467bd',
	'#8c564b',
	'#e377c2',
	'#7f7f7f',
	'#bcbd22',
	'#17becf'
];
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One panel per group (model/partition), accuracy against rounds, the target dashed. */
export function svg(results) {
	const groups = [...new Set(results.map((r) => r.group))];
	const W = 520;
	const H = 300;
	const pad = { l: 50, r: 170, t: 28, b: 36 };
	const pw = W - pad.l - pad.r;
	const ph = H - pad.t - pad.b;
	const cols = Math.min(2, groups.length);
	const rowsN = Math.ceil(groups.length / cols);
	const parts = [];
	groups.forEach((g, gi) => {
		const ox = (gi % cols) * W;
		const oy = Math.floor(gi / cols) * H;
		const rs = results.filter((r) => r.group === g);
		const maxR = Math.max(...rs.map((r) => r.history.length), 1);
		const target = rs[0].target;
		const lo = Math.max(
			0,
			Math.min(
				0.8,
				Math.floor(
					Math.min(
						...rs.flatMap((r) => r.history.slice(Math.min(2, r.history.length - 1)).map((h) => h.accuracy))
					) * 10
				) / 10
			)
		);
		const x = (n) => ox + pad.l + (Math.log10(n) / Math.log10(Math.max(maxR, 10))) * pw;
		const y = (a) => oy + pad.t + (1 - (Math.max(lo, a) - lo) / (1 - lo)) * ph;
		parts.push(`<text x="${ox + pad.l}" y="${oy + 18}" font-size="13" font-weight="bold">${esc(g)}</text>`);
		parts.push(
			`<rect x="${ox + pad.l}" y="${oy + pad.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`
		);
		for (let a = lo; a <= 1.0001; a += 0.05) {
			parts.push(
				`<line x1="${ox + pad.l}" x2="${ox + pad.l + pw}" y1="${y(a)}" y2="${y(a)}" stroke="#eee"/>`
			);
			parts.push(
				`<text x="${ox + pad.l - 4}" y="${y(a) + 4}" font-size="10" text-anchor="end">${Math.round(a * 100)}%</text>`
			);
		}
		for (const n of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((n) => n <= Math.max(maxR, 10))) {
			parts.push(
				`<line x1="${x(n)}" x2="${x(n)}" y1="${oy + pad.t}" y2="${oy + pad.t + ph}" stroke="#eee"/>`
			);
			parts.push(
				`<text x="${x(n)}" y="${oy + pad.t + ph + 14}" font-size="10" text-anchor="middle">${n}</text>`
			);
		}
		parts.push(
			`<text x="${ox + pad.l + pw / 2}" y="${oy + H - 6}" font-size="11" text-anchor="middle">round (log scale)</text>`
		);
		parts.push(
			`<line x1="${ox + pad.l}" x2="${ox + pad.l + pw}" y1="${y(target)}" y2="${y(target)}" stroke="#000" stroke-dasharray="5,4"/>` +
				`<text x="${ox + pad.l + pw - 2}" y="${y(target) - 4}" font-size="10" text-anchor="end">target ${Math.round(target * 1000) / 10}%</text>`
		);
		rs.forEach((r, i) => {
			const c = COLORS[i % COLORS.length];
			const pts = r.history.map((h) => `${x(h.round).toFixed(1)},${y(h.accuracy).toFixed(1)}`).join(' ');
			parts.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="1.6"/>`);
			const name = r.group.endsWith('/stragglers')
				? r.strategy.name === 'fedprox'
					? `FedProx μ=${r.strategy.mu}, E=${r.E}`
					: `FedAvg, E=${r.E}`
				: r.group.endsWith('/encodings')
					? `${r.encoding}, E=${r.E} B=${r.B === 'inf' ? '∞' : r.B}`
					: label(r);
			parts.push(
				`<line x1="${ox + pad.l + pw + 10}" x2="${ox + pad.l + pw + 28}" y1="${oy + pad.t + 8 + i * 15}" y2="${oy + pad.t + 8 + i * 15}" stroke="${c}" stroke-width="2"/>`
			);
			parts.push(
				`<text x="${ox + pad.l + pw + 32}" y="${oy + pad.t + 12 + i * 15}" font-size="10">${esc(name)} (${r.reached ?? '–'})</text>`
			);
		});
	});
	return (
		`<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${rowsN * H}" font-family="sans-serif">\n` +
		`<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`
	);
}
