import { CompletionContext, type CompletionSource } from '@codemirror/autocomplete';
import { LanguageSupport, forceParsing, syntaxTreeAvailable } from '@codemirror/language';
import { PostgreSQL, keywordCompletionSource, schemaCompletionSource } from '@codemirror/lang-sql';

/**
 * lang-sql's table and column completion reads the syntax tree at the cursor, and offers nothing where the tree
 * does not reach yet. CodeMirror parses on a time budget, so on a busy machine the word just typed can lie past
 * the tree when completion asks: the list then holds keywords only and, with nothing typed after, never gets the
 * tables (formats.spec's "completes table names" under load). Parse up to the cursor first, then ask.
 */
export function afterParse(source: CompletionSource): CompletionSource {
	return (ctx) => {
		const view = ctx.view;
		if (!view || syntaxTreeAvailable(ctx.state, ctx.pos)) return source(ctx);
		// Parsing updates the editor's state by a transaction, which cannot be sent from inside this update.
		return new Promise((resolve) =>
			setTimeout(() => {
				// Typed on since: that keystroke asks again, on its own state.
				if (ctx.aborted || view.state.doc !== ctx.state.doc) return resolve(null);
				forceParsing(view, ctx.pos, 500);
				resolve(source(new CompletionContext(view.state, ctx.pos, ctx.explicit, view)));
			}, 0)
		);
	};
}

/** The SQL language of the cell editor: PostgreSQL's dialect, the notebook's tables, upper-case keywords. */
export function sqlLanguage(schema: Record<string, string[]>): LanguageSupport {
	const lang = PostgreSQL;
	return new LanguageSupport(lang.language, [
		lang.language.data.of({ autocomplete: afterParse(schemaCompletionSource({ dialect: lang, schema })) }),
		lang.language.data.of({ autocomplete: keywordCompletionSource(lang, true) })
	]);
}
