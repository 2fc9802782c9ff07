import { invalid } from './errors';

/**
 * A small parser for MLflow's search filter: clauses joined by AND, each `<entity>.<key> <op> <value>`, with
 * keys quoted by backticks or double quotes when they hold spaces or dots, as in
 * `metrics.acc > 0.9 and params.lr = '0.01' and tags."mlflow.user" LIKE 'a%'`. OR and parentheses are not
 * supported (MLflow's own search does not take them either) and are refused with INVALID_PARAMETER_VALUE.
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
	while (TOKEN.lastIndex < s.length) {
		if (!s.slice(TOKEN.lastIndex).trim()) break;
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

export function parseFilter(filter: string | undefined): Clause[] {
	if (!filter?.trim()) return [];
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
		}
		clauses.push({ entity, key, op, value });
		const joiner = next();
		if (!joiner) return clauses;
		if (!/^and$/i.test(joiner.text)) throw bad(`only AND joins clauses (found "${joiner.text}").`);
	}
}

function likeRegex(pattern: string, flags: string): RegExp {
	const body = pattern.replace(/[.*+?^${}()|[\]\\%_]/g, (ch) =>
		ch === '%' ? '.*' : ch === '_' ? '.' : `\\${ch}`
	);
	return new RegExp(`^${body}$`, flags);
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
			return likeRegex(String(v), '').test(String(actual));
		case 'ILIKE':
			return likeRegex(String(v), 'i').test(String(actual));
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
	return items.map((item) => {
		const m = /^\s*(?:(\w+)\.)?(`[^`]+`|"[^"]+"|[\w.]+)\s*(ASC|DESC)?\s*$/i.exec(item);
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
