// Shared by the benchmarks: launching Debian's Chromium, statistics and the printed table.
import { chromium } from '@playwright/test';
import { cpus, platform, release, totalmem } from 'node:os';

/** The flags playwright.config.ts uses: the network is closed, so Chromium's own background calls are off. */
export function launchChromium() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		headless: true,
		// bench/run.mjs handles the signals: Playwright's own handlers would exit before the server is stopped.
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
		args: [
			'--no-sandbox',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--enable-unsafe-webgpu'
		]
	});
}

/** What a reader needs to compare two result files: numbers from different machines are not comparable. */
export function machine(browser = null) {
	const cpu = cpus();
	return {
		os: `${platform()} ${release()}`,
		cpus: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
		memoryGiB: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		chromium: browser?.version() ?? null
	};
}

/** Nearest-rank percentile: with few samples it reports a value that was measured, never an interpolation. */
export function percentile(samples, p) {
	if (samples.length === 0) return NaN;
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (samples) => percentile(samples, 50);

export function summary(samples) {
	return { n: samples.length, median: round(median(samples)), p95: round(percentile(samples, 95)) };
}

/**
 * A positive whole-number setting: `--<name> <n>` on the command line, else the environment's
 * BENCH_<BENCH>_<NAME>, else `fallback`; anything else is an error that names it.
 */
export function intOption(bench, name, fallback) {
	const i = process.argv.indexOf(`--${name}`);
	const raw = i > 0 ? process.argv[i + 1] : process.env[`BENCH_${bench.toUpperCase()}_${name.toUpperCase()}`];
	const n = Number(raw);
	if (raw === undefined) return fallback;
	if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a positive whole number, got ${raw}`);
	return n;
}

export const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** A plain-text table: numbers right-aligned, everything else left-aligned. */
export function table(headers, rows) {
	const cells = [headers, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? String(c) : c)));
	const width = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
	const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || /^[\d.,]/.test(r[i])));
	const line = (r) => r.map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ');
	return [line(cells[0]), width.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
