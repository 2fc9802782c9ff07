import { LIMITS } from '../../src/lib/contract';
import { invalid } from './errors';
import { ilike, like } from './like';

/**
 * A small parser for MLflow's search filter: clauses joined by AND, each `<entity>.<key> <op> <value>`, with
 * keys quoted by backticks or double quotes when they hold spaces or dots, as in
 * `metrics.acc > 0.9 and params.lr = '0.01' and tags."mlflow.user" LIKE 'a%'`. OR and parentheses are not
 * supported (MLflow's own search does not take them either) and are refused with INVALID_PARAMETER_VALUE.
 * Length, clause count, IN lists and LIKE patterns are bounded (LIMITS.search*), so one filter costs bounded work.
 */

export type Entity = 'attribute' | 'metric' | 'param' | 'tag';
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
export interface Clause {
	entity: Entity;
	key: string;
	op: Op;
	value: string | number | string[];
}

const ENTITY: Record<string, Entity> = {
	attribute: 'attribute',
	attributes: 'attribute',
	attr: 'attribute',
	run: 'attribute',
	metric: 'metric',
	metrics: 'metric',
	param: 'param',
	params: 'param',
	parameter: 'param',
	parameters: 'param',
	tag: 'tag',
	tags: 'tag'
};

const TOKEN =
	/\s*(?:(?<str>'(?:[^']|'')*'|"(?:[^"])*")|(?<tick>`[^`]*`)|(?<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])|(?<op>!=|<=|>=|=|<|>)|(?<word>[A-Za-z_][\w]*)|(?<punct>[.(),]))/y;

type Tok = { kind: 'str' | 'tick' | 'num' | 'op' | 'word' | 'punct'; text: string };

function tokenize(s: string): Tok[] {
	const out: Tok[] = [];
	TOKEN.lastIndex = 0;
	const end = s.trimEnd().length;
	while (TOKEN.lastIndex < end) {
		const at = TOKEN.lastIndex;
		const m = TOKEN.exec(s);
		if (!m?.groups) throw invalid(`Invalid filter "${s}": cannot read it at "${s.slice(at, at + 20)}".`);
		const [kind, text] = Object.entries(m.groups).find(([, v]) => v !== undefined) as [Tok['kind'], string];
		out.push({ kind, text });
	}
	return out;
}

const unquote = (t: Tok) =>
	t.kind === 'str'
		? t.text.slice(1, -1).replaceAll("''", "'")
		: t.kind === 'tick'
			? t.text.slice(1, -1)
			: t.text;

/** A LIKE pattern's size as D1 counts it once compiled to GLOB: UTF-8 bytes, `*`, `?` and `[` escaped to 3. */
export function likePatternBytes(pattern: string): number {
	return new TextEncoder().encode(pattern).length + 2 * (pattern.match(/[*?[]/g)?.length ?? 0);
}

const tooLong = (what: string, limit: number, unit: string) =>
	invalid(`Invalid filter: ${what} exceeds the limit of ${limit} ${unit}.`);

export function parseFilter(filter: string | undefined): Clause[] {
	if (!filter?.trim()) return [];
	if (filter.length > LIMITS.searchFilterLength)
		throw tooLong(`the filter (${filter.length} characters)`, LIMITS.searchFilterLength, 'characters');
	const toks = tokenize(filter);
	const bad = (why: string) => invalid(`Invalid filter "${filter}": ${why}`);
	const clauses: Clause[] = [];
	let i = 0;
	const next = () => toks[i++];
	for (;;) {
		const first = next();
		if (!first || (first.kind !== 'word' && first.kind !== 'tick' && first.kind !== 'str'))
			throw bad('expected an identifier such as metrics.acc, params.lr, tags.x or attributes.status.');
		let entity: Entity = 'attribute';
		let key = unquote(first);
		if (toks[i]?.text === '.' && first.kind === 'word') {
			const e = ENTITY[first.text.toLowerCase()];
			if (!e) throw bad(`unknown entity "${first.text}" (use metrics, params, tags or attributes).`);
			entity = e;
			i++;
			const k = next();
			if (!k || !['word', 'tick', 'str'].includes(k.kind)) throw bad('expected a key after the entity.');
			key = unquote(k);
			// Unquoted keys may hold dots (tags.mlflow.user); the quoted spellings need none of this.
			while (k.kind === 'word' && toks[i]?.text === '.' && toks[i + 1]?.kind === 'word') {
				key += `.${toks[i + 1].text}`;
				i += 2;
			}
		}
		let opTok = next();
		let op: Op;
		if (opTok?.kind === 'op') op = opTok.text as Op;
		else if (opTok?.kind === 'word' && /^(i?like|in)$/i.test(opTok.text)) op = opTok.text.toUpperCase() as Op;
		else if (opTok?.kind === 'word' && /^not$/i.test(opTok.text) && /^in$/i.test(toks[i]?.text ?? '')) {
			i++;
			op = 'NOT IN';
		} else throw bad(`expected a comparison (=, !=, <, <=, >, >=, LIKE, ILIKE, IN) after "${key}".`);
		let value: Clause['value'];
		if (op === 'IN' || op === 'NOT IN') {
			if (next()?.text !== '(') throw bad(`IN takes a list in parentheses: ('a', 'b').`);
			const list: string[] = [];
			for (;;) {
				const v = next();
				if (v?.kind !== 'str') throw bad('IN lists hold quoted strings.');
				list.push(unquote(v));
				if (list.length > LIMITS.searchInValues) throw tooLong('an IN list', LIMITS.searchInValues, 'values');
				opTok = next();
				if (opTok?.text === ')') break;
				if (opTok?.text !== ',') throw bad('expected "," or ")" in the IN list.');
			}
			value = list;
		} else {
			const v = next();
			if (v?.kind === 'num') value = Number(v.text);
			else if (v?.kind === 'str') value = unquote(v);
			else throw bad(`expected a number or a quoted string after ${op}.`);
			if ((op === 'LIKE' || op === 'ILIKE') && likePatternBytes(String(value)) > LIMITS.likePatternBytes)
				throw tooLong(
					`the ${op} pattern '${String(value).slice(0, 60)}' (UTF-8, with *, ? and [ counting 3)`,
					LIMITS.likePatternBytes,
					'bytes'
				);
		}
		clauses.push({ entity, key, op, value });
		if (clauses.length > LIMITS.searchClauses)
			throw tooLong('the number of clauses', LIMITS.searchClauses, 'clauses');
		const joiner = next();
		if (!joiner) return clauses;
		if (!/^and$/i.test(joiner.text)) throw bad(`only AND joins clauses (found "${joiner.text}").`);
	}
}

/** Whether a value (undefined: the run/model lacks the key, which never matches, as in MLflow) passes a clause. */
export function matches(c: Clause, actual: string | number | null | undefined): boolean {
	if (actual === undefined || actual === null) return false;
	const v = c.value;
	switch (c.op) {
		case '=':
			return actual === v;
		case '!=':
			return actual !== v;
		case '<':
			return actual < v;
		case '<=':
			return actual <= v;
		case '>':
			return actual > v;
		case '>=':
			return actual >= v;
		case 'LIKE':
			return like(String(actual), String(v));
		case 'ILIKE':
			return ilike(String(actual), String(v));
		case 'IN':
			return (v as string[]).includes(String(actual));
		case 'NOT IN':
			return !(v as string[]).includes(String(actual));
	}
}

/** Checks a clause against what an entity supports: numeric fields take numbers and order ops, strings the rest. */
export function checkClause(
	c: Clause,
	filter: string,
	kinds: Partial<Record<Entity, 'number' | 'string' | Record<string, 'number' | 'string'>>>
): void {
	const spec = kinds[c.entity];
	const kind = typeof spec === 'object' ? spec[c.key] : spec;
	const bad = (why: string) => invalid(`Invalid filter "${filter}": ${why}`);
	if (!kind)
		throw bad(
			typeof spec === 'object'
				? `unknown attribute "${c.key}" (searchable: ${Object.keys(spec).join(', ')}).`
				: `${c.entity}s cannot be searched here.`
		);
	const isList = Array.isArray(c.value);
	if (kind === 'number') {
		if (typeof c.value !== 'number' || ['LIKE', 'ILIKE', 'IN', 'NOT IN'].includes(c.op))
			throw bad(`"${c.key}" is numeric: compare it to a number with =, !=, <, <=, > or >=.`);
	} else if (!isList && typeof c.value !== 'string') throw bad(`"${c.key}" is a string: quote the value.`);
	else if (['<', '<=', '>', '>='].includes(c.op))
		throw bad(`"${c.key}" is a string: use =, !=, LIKE, ILIKE or IN.`);
}

export interface OrderBy {
	entity: Entity;
	key: string;
	desc: boolean;
}

/** `metrics.acc DESC`, `start_time`, `attributes.name ASC` … */
export function parseOrderBy(items: string[]): OrderBy[] {
	if (items.length > LIMITS.searchOrderKeys)
		throw invalid(`Invalid order_by: at most ${LIMITS.searchOrderKeys} keys, not ${items.length}.`);
	return items.map((item) => {
		// Trimmed first and one separator before the direction: no two adjacent \s* for a regex to backtrack over.
		const m = /^(?:(\w+)\.)?(`[^`]+`|"[^"]+"|[\w.]+)(?:\s+(ASC|DESC))?$/i.exec(item.trim());
		const entity = m?.[1] ? ENTITY[m[1].toLowerCase()] : 'attribute';
		if (!m || !entity) throw invalid(`Invalid order_by clause "${item}".`);
		return { entity, key: m[2].replace(/^[`"]|[`"]$/g, ''), desc: m[3]?.toUpperCase() === 'DESC' };
	});
}

/** Compares two values for sorting; missing values go last whatever the direction (MLflow's rule). */
export function compareValues(
	a: string | number | null | undefined,
	b: string | number | null | undefined,
	desc: boolean
): number {
	const am = a === undefined || a === null;
	const bm = b === undefined || b === null;
	if (am || bm) return am === bm ? 0 : am ? 1 : -1;
	const r = a < b ? -1 : a > b ? 1 : 0;
	return desc ? -r : r;
}
