import { test as base, expect, type Browser, type BrowserContext } from '@playwright/test';

/**
 * Every journey runs under the app's Content Security Policy (scripts/spa-headers.mjs) and fails on any
 * violation: a blocked script, worker, wasm compile, fetch or image is reported by Chromium as a
 * `securitypolicyviolation` event (documents) or a "Content Security Policy" console error (documents and
 * workers). Every app page must also arrive with the policy itself, frame-ancestors included. Specs import
 * `test` and `expect` from here instead of '@playwright/test'; contexts they open themselves are guarded too.
 */

const problems: string[] = [];
/** Violations a test provokes on purpose; each must happen. */
const expected: RegExp[] = [];

/**
 * Declares that the policy must block something in this test (e.g. a registry on an origin the build did not
 * list): the matching violation is required, and is not a failure.
 */
export function expectCspBlock(what: RegExp): void {
	expected.push(what);
}
const guarded = new WeakSet<BrowserContext>();

const REPORT = () => {
	document.addEventListener('securitypolicyviolation', (e) => {
		console.error(
			`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile}`
		);
	});
};

async function guard(context: BrowserContext): Promise<BrowserContext> {
	if (guarded.has(context)) return context;
	guarded.add(context);
	// Awaited, so the listener is in place before the first page of the context loads.
	await context.addInitScript(REPORT);
	const onConsole = (text: string, where: string) => {
		if (/Content Security Policy|CSP violation/i.test(text)) problems.push(`${where}: ${text}`);
	};
	context.on('console', (m) => onConsole(m.text(), m.page()?.url() ?? 'page'));
	context.on('page', (page) =>
		page.on('worker', (w) => w.on('console', (m) => onConsole(m.text(), `worker ${w.url()}`)))
	);
	context.on('response', async (res) => {
		if (res.request().resourceType() !== 'document') return;
		const url = new URL(res.url());
		if (!url.protocol.startsWith('http') || /^\/(api|vendor)\//.test(url.pathname)) return;
		// The context may close while the headers are read (end of test): nothing left to check then.
		const headers = await res.allHeaders().catch(() => null);
		if (!headers) return;
		const csp = headers['content-security-policy'] ?? '';
		if (!/frame-ancestors 'none'/.test(csp) || !/script-src [^;]*'sha256-/.test(csp))
			problems.push(`${res.url()} was served without the app's CSP (got "${csp}")`);
	});
	return context;
}

/** Contexts a spec opens with browser.newContext() get the same guard. */
function guardBrowser(browser: Browser) {
	const marked = browser as Browser & { __cspGuarded?: boolean };
	if (marked.__cspGuarded) return;
	marked.__cspGuarded = true;
	const newContext = browser.newContext.bind(browser);
	browser.newContext = async (...args) => guard(await newContext(...args));
}

export const test = base.extend<{ cspGuard: void }>({
	context: async ({ context }, use) => {
		await use(await guard(context));
	},
	cspGuard: [
		async ({ browser }, use) => {
			guardBrowser(browser);
			problems.length = 0;
			expected.length = 0;
			await use();
			for (const re of expected)
				expect(
					problems.some((p) => re.test(p)),
					`the CSP should have blocked ${re}`
				).toBe(true);
			expect(
				problems.filter((p) => !expected.some((re) => re.test(p))),
				'Content Security Policy violations'
			).toEqual([]);
		},
		{ auto: true }
	]
});

export { expect };
export type { Browser, Locator, Page } from '@playwright/test';
