import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '$lib/components/markdown';

describe('renderMarkdown guards against script in imported notebooks', () => {
	const cases = [
		{ what: 'raw script tag is escaped', md: '<script>alert(1)</script>', not: '<script>' },
		{ what: 'inline event handler html is escaped', md: 'hi <img src=x onerror=alert(1)>', not: '<img' },
		{ what: 'javascript: links are neutralised', md: '[x](javascript:alert(1))', not: 'javascript:' },
		{ what: 'images do not load remote content', md: '![alt](http://example.com/a.png)', not: '<img' }
	];
	it.each(cases)('$what', ({ md, not }) => {
		expect(renderMarkdown(md)).not.toContain(not);
	});

	it('keeps ordinary markdown', () => {
		const html = renderMarkdown('# Title\n\nSome **bold** and [a link](https://duckdb.org).');
		expect(html).toContain('<h1');
		expect(html).toContain('<strong>bold</strong>');
		expect(html).toContain('href="https://duckdb.org"');
	});
});
