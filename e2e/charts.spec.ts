import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { addSqlCell, cell, newNotebook, runCell, setSql, settle, value } from './helpers';

/** 60,000 rows: more than a chart ever samples, small enough for DuckDB to make in a blink. */
const TABLE = `SELECT 'c' || (i % 7) AS cat, 'g' || (i % 3) AS grp, 'k' || lpad((i % 229)::VARCHAR, 3, '0') AS many,
  (i * 1000)::DOUBLE AS v FROM range(60000) t(i)`;

/** Totals per category as `name=value;…`, computed by DuckDB through the app. */
const TOTALS = `SELECT string_agg(k || '=' || t::BIGINT::VARCHAR, ';' ORDER BY k) AS s
FROM (SELECT cat AS k, sum(v) AS t FROM q1 GROUP BY cat UNION ALL SELECT 'all', sum(v) FROM q1)`;

async function addChart(page: Page, spec: Record<'source' | 'mark' | 'x' | 'y' | 'color', string>) {
	const count = await page.getByTestId('cell').count();
	await page.getByTestId('cell').last().hover();
	await page.getByRole('button', { name: '+ Chart' }).last().click();
	const chart = cell(page, count);
	for (const field of ['source', 'mark', 'x', 'y', 'color'] as const)
		if (spec[field]) await chart.getByLabel(`chart ${field}`).selectOption(spec[field]);
	return chart;
}

/** What each bar stands for, read back from the drawn SVG: its height through the y axis's own ticks. */
async function drawnTotals(chart: Locator): Promise<Record<string, number>> {
	return chart.getByTestId('chart').evaluate((host) => {
		const svg = [...host.querySelectorAll('svg')].find((s) => s.querySelector('g[aria-label="bar"]'));
		if (!svg) return {};
		const ticks = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => {
			const r = t.getBoundingClientRect();
			return { v: Number(t.textContent!.replace(/[,\s]/g, '').replace('−', '-')), y: r.top + r.height / 2 };
		});
		const [a, b] = [ticks[0], ticks[ticks.length - 1]];
		const perPx = (b.v - a.v) / (a.y - b.y);
		const labels = [...svg.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => {
			const r = t.getBoundingClientRect();
			return { name: t.textContent!, x: r.left + r.width / 2 };
		});
		const out: Record<string, number> = {};
		for (const bar of svg.querySelectorAll('g[aria-label="bar"] rect')) {
			const r = bar.getBoundingClientRect();
			const mid = r.left + r.width / 2;
			const name = labels.reduce((best, l) => (Math.abs(l.x - mid) < Math.abs(best.x - mid) ? l : best)).name;
			out[name] = (out[name] ?? 0) + r.height * perPx;
		}
		return out;
	});
}

/** The exact values the bars carry in their tooltips, summed per category. */
async function titleTotals(chart: Locator): Promise<Record<string, number>> {
	const titles = await chart.locator('g[aria-label="bar"] rect title').allTextContents();
	const out: Record<string, number> = {};
	for (const t of titles) {
		const [name, rest] = [t.slice(0, t.indexOf(' ')), t.slice(t.lastIndexOf(': ') + 2)];
		out[name.replace(/:$/, '')] = (out[name.replace(/:$/, '')] ?? 0) + Number(rest.replaceAll(',', ''));
	}
	return out;
}

/** How many x tick labels there are, and how many are clipped by the figure's edge or overlap a neighbour. */
async function labelFit(chart: Locator) {
	return chart.getByTestId('chart').evaluate((host) => {
		const svg = [...host.querySelectorAll('svg')].sort((a, b) => b.clientWidth - a.clientWidth)[0];
		const box = svg.getBoundingClientRect();
		const rect = (axis: string) =>
			[...svg.querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`)].map((t) =>
				t.getBoundingClientRect()
			);
		const inside = (r: DOMRect) =>
			r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5;
		const xs = rect('x').sort((a, b) => a.left - b.left);
		return {
			x: xs.length,
			clipped: [...rect('x'), ...rect('y')].filter((r) => !inside(r)).length,
			overlapping: xs.filter((r, i) => i > 0 && xs[i - 1].right > r.left).length
		};
	});
}

function parseTotals(s: string): Record<string, number> {
	return Object.fromEntries(s.split(';').map((p) => [p.split('=')[0], Number(p.split('=')[1])]));
}

function expectClose(drawn: Record<string, number>, want: Record<string, number>) {
	expect(Object.keys(drawn).sort()).toEqual(Object.keys(want).sort());
	for (const k of Object.keys(want)) expect(Math.abs(drawn[k] - want[k]) / want[k]).toBeLessThan(0.01);
}

test('charts sum every row, fold many categories, export the whole figure and come back after a reload', async ({
	page
}) => {
	await newNotebook(page, 'Charts');
	await setSql(page, 1, TABLE);
	await runCell(page, 1);
	await expect(cell(page, 1).getByTestId('row-count')).toHaveText('60,000 rows');
	const totalsCell = await addSqlCell(page);
	await setSql(page, totalsCell, TOTALS);
	await runCell(page, totalsCell);
	const { all, ...perCat } = parseTotals((await value(page, totalsCell).textContent()) ?? '');
	expect(Object.keys(perCat)).toHaveLength(7);

	// A stacked bar chart over 60,000 rows: every bar is the SUM over the whole table, not over a sample.
	const bars = await addChart(page, { source: 'q1', mark: 'bar', x: 'cat', y: 'v', color: 'grp' });
	await expect(bars.locator('g[aria-label="bar"] rect')).toHaveCount(21, { timeout: 30_000 });
	await expect.poll(() => titleTotals(bars)).toEqual(perCat);
	expectClose(await drawnTotals(bars), perCat);
	await expect(bars.getByTestId('chart-note')).toContainText('summed over all 60,000 rows');

	// Download SVG: the whole figure, plot and legend, not the legend's first swatch.
	const svgDownload = page.waitForEvent('download');
	await bars.getByRole('button', { name: 'Download SVG' }).click();
	const svgText = await readFile((await (await svgDownload).path())!, 'utf8');
	const file = await page.evaluate((text) => {
		const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
		const root = doc.documentElement;
		return {
			bars: doc.querySelectorAll('g[aria-label="bar"] rect').length,
			legend: [...doc.querySelectorAll('.legend-entry text')].map((t) => t.textContent),
			width: Number(root.getAttribute('width')),
			height: Number(root.getAttribute('height'))
		};
	}, svgText);
	expect(file).toMatchObject({ bars: 21, legend: ['g0', 'g1', 'g2'] });
	expect(file.height).toBeGreaterThan(320);

	// Download PNG: the same figure, at twice its size (the IHDR chunk holds width and height).
	const pngDownload = page.waitForEvent('download');
	await bars.getByRole('button', { name: 'Download PNG' }).click();
	const png = await readFile((await (await pngDownload).path())!);
	expect(png.subarray(1, 4).toString()).toBe('PNG');
	expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([file.width * 2, file.height * 2]);

	// 229 categories: the 40 largest and one "Other" bar, which together still add up to the whole table.
	const many = await addChart(page, { source: 'q1', mark: 'bar', x: 'many', y: 'v', color: '' });
	await expect(many.locator('g[aria-label="bar"] rect')).toHaveCount(41, { timeout: 30_000 });
	await expect(many.getByTestId('chart-note')).toContainText('229 values');
	const manyTotals = await titleTotals(many);
	expect(manyTotals.Other).toBeGreaterThan(0);
	expect(Object.values(manyTotals).reduce((s, v) => s + v, 0)).toBe(all);
	// No tick label is clipped by the figure's edge or overlaps its neighbour.
	expect(await labelFit(many)).toEqual({ x: 41, clipped: 0, overlapping: 0 });

	// A histogram counts every row.
	const hist = await addChart(page, { source: 'q1', mark: 'histogram', x: 'v', y: '', color: '' });
	await expect(hist.locator('g[aria-label="rect"] rect').first()).toBeAttached({ timeout: 30_000 });
	const counts = await hist.locator('g[aria-label="rect"] rect title').allTextContents();
	expect(counts.reduce((s, t) => s + Number(t.slice(t.lastIndexOf(': ') + 2).replaceAll(',', '')), 0)).toBe(
		60_000
	);
	expect(await labelFit(hist)).toMatchObject({ clipped: 0, overlapping: 0 });

	// After a reload the charts are drawn again, by themselves, with the same totals.
	await settle(page);
	await page.reload();
	const again = cell(page, 3);
	await expect(again.locator('g[aria-label="bar"] rect')).toHaveCount(21, { timeout: 60_000 });
	await expect.poll(() => titleTotals(again)).toEqual(perCat);
	expectClose(await drawnTotals(again), perCat);
});
