import { Marked } from 'marked';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Markdown to HTML with raw HTML escaped: an imported notebook is someone else's text, and must not be able
 * to run script in this origin (where the user's data and tokens live).
 */
const md = new Marked({
	gfm: true,
	renderer: {
		html: ({ text }) => escapeHtml(text),
		link: ({ href, text }) => {
			const safe = /^(https?:|mailto:|#|\/)/i.test(href) ? href : '#';
			return `<a href="${escapeHtml(safe)}" rel="noopener noreferrer" target="_blank">${escapeHtml(text)}</a>`;
		},
		image: ({ text }) => escapeHtml(text)
	}
});

export function renderMarkdown(source: string): string {
	return md.parse(source, { async: false }) as string;
}
