import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	builtHeadersProblems,
	contentSecurityPolicy,
	evalWorkerPaths,
	inlineScriptHashes,
	registryOrigins,
	spaHeadersBlock
} from '../../scripts/spa-headers.mjs';

const BOOT = '\n\t\t\t\t{ __sveltekit_x = { base: "" }; }\n\t\t\t';
const HTML = `<html><head><script type="module" src="/_app/a.js"></script></head>
<body><div style="display: contents"><script>${BOOT}</script></div></body></html>`;
const hash = `'sha256-${createHash('sha256').update(BOOT).digest('base64')}'`;

const directives = (csp: string) =>
	new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const));

describe('the app page CSP (scripts/spa-headers.mjs)', () => {
	it('hashes only inline scripts, exactly as the browser does', () => {
		expect(inlineScriptHashes(HTML)).toEqual([hash]);
	});

	it('runs only our scripts and that one inline bootstrap: no eval, no inline, no other origin', () => {
		const d = directives(contentSecurityPolicy(HTML));
		expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", hash]);
		expect(d.get('frame-ancestors')).toEqual(["'none'"]);
		expect(d.get('object-src')).toEqual(["'none'"]);
		for (const name of ['default-src', 'connect-src', 'worker-src']) expect(d.get(name)).toEqual(["'self'"]);
		// No wildcard and no other origin anywhere.
		for (const sources of d.values()) for (const s of sources) expect(s).not.toMatch(/^\*|^https?:|^wss?:/);
		expect(d.get('script-src')).not.toContain("'unsafe-inline'");
		expect(d.get('script-src')).not.toContain("'unsafe-eval'");
	});

	it('connects to another registry only when the build lists its origin', () => {
		expect(registryOrigins(undefined)).toEqual([]);
		expect(registryOrigins(' https://reg.example.com , http://127.0.0.1:8787')).toEqual([
			'https://reg.example.com',
			'http://127.0.0.1:8787'
		]);
		for (const bad of [
			'*',
			'https:',
			'javascript:alert(1)',
			'https://a.example.com/path',
			"'self' https://x"
		])
			expect(() => registryOrigins(bad), bad).toThrow(/EDGEBOOK_REGISTRY_ORIGINS/);
		const d = directives(contentSecurityPolicy(HTML, ['https://reg.example.com']));
		expect(d.get('connect-src')).toEqual(["'self'", 'https://reg.example.com']);
		expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", hash]);
	});

	it('writes one rule for every path, and eval only for the two workers that need it', () => {
		const dir = mkdtempSync(join(tmpdir(), 'spa-headers-'));
		try {
			mkdirSync(join(dir, '_app/immutable/workers/assets'), { recursive: true });
			for (const f of [
				'_app/immutable/workers/data.worker-O37NuquK.js',
				'_app/immutable/workers/train.worker-Ab_12.js',
				'_app/immutable/workers/assets/duckdb-browser-eh.worker-hQa-dcAV.js',
				'_app/immutable/workers/assets/duckdb-eh.wasm'
			])
				writeFileSync(join(dir, f), '');
			const workers = evalWorkerPaths(dir);
			expect(workers).toEqual([
				'/_app/immutable/workers/assets/duckdb-browser-eh.worker-hQa-dcAV.js',
				'/_app/immutable/workers/data.worker-O37NuquK.js'
			]);
			const block = spaHeadersBlock(HTML, workers);
			expect(block).toContain(`/*\n  Content-Security-Policy: ${contentSecurityPolicy(HTML)}\n`);
			for (const h of [
				'X-Content-Type-Options: nosniff',
				'Referrer-Policy: no-referrer',
				'X-Frame-Options: DENY'
			])
				expect(block).toContain(`  ${h}\n`);
			// A worker's rule replaces the page policy (detached with `!`), adding only 'unsafe-eval'.
			const rule = block.split('\n\n').find((r) => r.includes('data.worker'))!;
			expect(rule.split('\n')[1]).toBe('  ! Content-Security-Policy');
			const csp = directives(rule.split('\n')[2].replace('  Content-Security-Policy: ', ''));
			expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'"]);
			expect(csp.get('connect-src')).toEqual(["'self'"]);
			expect(block).not.toContain('train.worker');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('the deploy check refuses a build whose app page would go out without its policy', () => {
		const STATIC = '/_app/immutable/*\n  Cache-Control: public, max-age=31536000, immutable\n';
		expect(builtHeadersProblems(STATIC + spaHeadersBlock(HTML), HTML)).toEqual([]);
		expect(builtHeadersProblems(STATIC, HTML)).toEqual([
			'build/_headers sets no Content-Security-Policy for /* (run scripts/spa-headers.mjs)',
			'build/_headers sets no X-Content-Type-Options: nosniff for /*'
		]);
		// Headers from another build: the bootstrap's hash no longer matches.
		const other = HTML.replace('base: ""', 'base: "/x"');
		expect(builtHeadersProblems(STATIC + spaHeadersBlock(HTML), other)).toEqual([
			`the app's CSP does not allow its bootstrap script ${inlineScriptHashes(other)[0]}`
		]);
		const loose = spaHeadersBlock(HTML).replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'unsafe-inline'");
		expect(builtHeadersProblems(loose, HTML)).toEqual(["the app's script-src allows 'unsafe-inline'"]);
	});
});
