import { joinBytes, splitBytes } from '../../src/lib/ml/federated';

/**
 * Byte values of any size in a Durable Object's SQLite: a row holds at most ~2 MB, so a value (the global weights,
 * the running sum, the server optimiser's state) is stored in pieces of 1 MiB under its kind.
 */
const CHUNK_BYTES = 1 << 20;

export function createChunkTable(sql: SqlStorage) {
	sql.exec(`CREATE TABLE IF NOT EXISTS chunks (kind TEXT NOT NULL, idx INTEGER NOT NULL, bytes BLOB NOT NULL,
		PRIMARY KEY (kind, idx))`);
}

/** Replaces a kind's bytes; call inside a transaction when it must land with other writes. */
export function putBytes(sql: SqlStorage, kind: string, bytes: Uint8Array) {
	sql.exec('DELETE FROM chunks WHERE kind = ?', kind);
	splitBytes(bytes, CHUNK_BYTES).forEach((piece, idx) =>
		sql.exec('INSERT INTO chunks (kind, idx, bytes) VALUES (?, ?, ?)', kind, idx, piece.slice().buffer)
	);
}

export function getBytes(sql: SqlStorage, kind: string): Uint8Array | null {
	const rows = sql
		.exec<{ bytes: ArrayBuffer }>('SELECT bytes FROM chunks WHERE kind = ? ORDER BY idx', kind)
		.toArray();
	return rows.length ? joinBytes(rows.map((r) => new Uint8Array(r.bytes))) : null;
}

export function deleteBytes(sql: SqlStorage, kind: string) {
	sql.exec('DELETE FROM chunks WHERE kind = ?', kind);
}
