/**
 * A digest of every table the migrations made (found in sqlite_master, so a new table is covered too): every
 * row of every column, read in one D1 batch. Taken around a request, it shows any insert, update or delete.
 * With a bucket, its keys are in the digest too. Only tokens.last_used_at is left out: authentication records it (to the minute) on any request.
 */
export async function stateDigest(db: D1Database, bucket?: R2Bucket): Promise<string> {
	const { results } = await db
		.prepare(
			`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
			 AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' ORDER BY name`
		)
		.all<{ name: string }>();
	const rows = await db.batch(results.map(({ name }) => db.prepare(`SELECT * FROM "${name}"`)));
	// Sorted here: several tables are WITHOUT ROWID, and the order SQLite reads rows in is not a fact of state.
	const tables = results.map((t, i) => [
		t.name,
		rows[i].results.map((row) => JSON.stringify({ ...(row as object), last_used_at: undefined })).sort()
	]);
	// The R2 keys too, when asked: bytes stored by a refused upload are a write as well.
	const keys = bucket ? (await bucket.list({ limit: 1000 })).objects.map((o) => o.key) : [];
	const text = JSON.stringify([tables, keys]);
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
	return `${results.length} tables, ${rows.reduce((n, r) => n + r.results.length, 0)} rows, ${keys.length} objects, ${[
		...new Uint8Array(digest)
	]
		.slice(0, 8)
		.map((b) => b.toString(16).padStart(2, '0'))
		.join('')}`;
}
