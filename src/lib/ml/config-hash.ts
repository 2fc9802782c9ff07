/**
 * A content hash of a cell's configuration (model spec, params, features, preprocessing…), recorded on each run
 * so two runs can be compared as "same configuration" and a re-run can be recognised. It must not depend on the
 * order keys were written in, on the engine, or on where it runs (tab, worker, Node, workerd), so it hashes a
 * canonical JSON text with SHA-256 from Web Crypto, which all four provide as `crypto.subtle`.
 *
 * The canonical text is what JSON.stringify would write with every object's keys sorted by UTF-16 code units and
 * no whitespace, plus three extensions JSON.stringify lacks:
 *   - typed arrays (Float32Array…) are written as arrays of their numbers; ArrayBuffer and DataView as bytes;
 *   - bigints are written as integer literals (12n and 12 hash the same: both mean twelve);
 *   - Map and Set are refused with a TypeError, since their order is insertion order: convert them first.
 * Kept from JSON: numbers in ECMAScript's shortest round-trip form (specified exactly, so equal in every engine;
 * -0 writes as 0), NaN and ±Infinity as null, toJSON() honoured (Dates become ISO strings), undefined, functions
 * and symbols omitted from objects and null in arrays. A cycle is a TypeError.
 */

/** The canonical JSON text that `stableHash` hashes; see the header for the rules. */
export function canonicalJson(value: unknown): string {
	return write(value, new Set()) ?? 'null';
}

/** Lowercase hex SHA-256 of `canonicalJson(value)`. */
export async function stableHash(value: unknown): Promise<string> {
	const bytes = new TextEncoder().encode(canonicalJson(value));
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** undefined means "nothing to write" (undefined, a function, a symbol), which objects skip and arrays null. */
function write(value: unknown, ancestors: Set<object>): string | undefined {
	switch (typeof value) {
		case 'string':
			return JSON.stringify(value);
		case 'number':
			return Number.isFinite(value) ? JSON.stringify(value) : 'null';
		case 'bigint':
			return value.toString();
		case 'boolean':
			return value ? 'true' : 'false';
		case 'undefined':
		case 'function':
		case 'symbol':
			return undefined;
	}
	if (value === null) return 'null';
	const object = value as object;
	if (ancestors.has(object)) throw new TypeError('Cannot hash a value that contains itself.');
	ancestors.add(object);
	try {
		return writeObject(object, ancestors);
	} finally {
		ancestors.delete(object);
	}
}

function writeObject(object: object, ancestors: Set<object>): string | undefined {
	if (typeof (object as { toJSON?: unknown }).toJSON === 'function')
		return write((object as { toJSON: () => unknown }).toJSON(), ancestors);
	if (object instanceof Map || object instanceof Set)
		throw new TypeError(
			`Cannot hash a ${object.constructor.name}: its order is insertion order; convert it first.`
		);
	if (object instanceof ArrayBuffer) return writeList(new Uint8Array(object), ancestors);
	if (ArrayBuffer.isView(object)) {
		const view =
			object instanceof DataView
				? new Uint8Array(object.buffer, object.byteOffset, object.byteLength)
				: object;
		return writeList(view as unknown as ArrayLike<unknown>, ancestors);
	}
	if (Array.isArray(object)) return writeList(object, ancestors);

	const parts: string[] = [];
	const record = object as Record<string, unknown>;
	for (const key of Object.keys(record).sort()) {
		const text = write(record[key], ancestors);
		if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
	}
	return `{${parts.join(',')}}`;
}

function writeList(items: ArrayLike<unknown>, ancestors: Set<object>): string {
	const parts: string[] = [];
	for (let i = 0; i < items.length; i++) parts.push(write(items[i], ancestors) ?? 'null');
	return `[${parts.join(',')}]`;
}
