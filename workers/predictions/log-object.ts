import { DurableObject } from 'cloudflare:workers';

/**
 * One model's prediction log buffer (one instance per workspace and model: `logFor`). Predict requests append
 * their rows here from `waitUntil`, so the answer never waits on storage; rows wait in the object's SQLite
 * (durable: a restart loses none) and are written out as one NDJSON object in R2 per batch, indexed in D1
 * (`prediction_batches`), when `FLUSH_ROWS` have gathered or `FLUSH_MS` after the first of a batch (an alarm).
 * Why a Durable Object and batches (one R2 write per ~thousand rows instead of one D1 row per prediction):
 * docs/architecture.md, "The prediction log".
 */

export const FLUSH_ROWS = 1000;
export const FLUSH_MS = 10_000;

export interface LogOwner {
	workspaceId: string;
	modelName: string;
}

/** The R2 key of a batch: by model and time, so a range read lists in order; the first id makes a retry idempotent. */
export const batchKey = (o: LogOwner, firstAt: number, firstId: string) =>
	`predictions/${o.workspaceId}/${encodeURIComponent(o.modelName)}/${String(firstAt).padStart(15, '0')}-${firstId}.ndjson`;

/** One request's rows as NDJSON, with what the buffer needs to know without parsing them. */
export interface LogChunk {
	ndjson: string;
	firstAt: number;
	lastAt: number;
	count: number;
	/** The first row's id: with its time, it names the batch the chunk opens (a retried flush overwrites it). */
	firstId: string;
}

export class PredictionLog extends DurableObject<Env> {
	#ready = false;

	#init() {
		if (this.#ready) return;
		// One row per request, its rows as one NDJSON text: a 1,000-row request is one insert and one string over
		// RPC, not a thousand of each.
		this.ctx.storage.sql.exec(
			`CREATE TABLE IF NOT EXISTS pending_chunks (seq INTEGER PRIMARY KEY AUTOINCREMENT, first_at INTEGER NOT NULL,
			   last_at INTEGER NOT NULL, count INTEGER NOT NULL, first_id TEXT NOT NULL, body TEXT NOT NULL);
			 CREATE TABLE IF NOT EXISTS owner (k INTEGER PRIMARY KEY CHECK (k = 1), workspace_id TEXT, model_name TEXT);`
		);
		this.#ready = true;
	}

	#owner(): LogOwner | null {
		const row = this.ctx.storage.sql
			.exec<{ workspace_id: string; model_name: string }>('SELECT * FROM owner')
			.toArray()[0];
		return row ? { workspaceId: row.workspace_id, modelName: row.model_name } : null;
	}

	/** Buffers one request's rows; flushes at once past FLUSH_ROWS, else sets the batch's alarm. */
	async append(owner: LogOwner, chunk: LogChunk): Promise<void> {
		this.#init();
		this.ctx.storage.sql.exec(
			'INSERT OR IGNORE INTO owner (k, workspace_id, model_name) VALUES (1, ?, ?)',
			owner.workspaceId,
			owner.modelName
		);
		this.ctx.storage.sql.exec(
			'INSERT INTO pending_chunks (first_at, last_at, count, first_id, body) VALUES (?, ?, ?, ?, ?)',
			chunk.firstAt,
			chunk.lastAt,
			chunk.count,
			chunk.firstId,
			chunk.ndjson
		);
		const rows = this.ctx.storage.sql
			.exec<{ n: number }>('SELECT COALESCE(SUM(count), 0) AS n FROM pending_chunks')
			.one().n;
		if (rows >= FLUSH_ROWS) await this.flush();
		else if ((await this.ctx.storage.getAlarm()) === null)
			await this.ctx.storage.setAlarm(Date.now() + FLUSH_MS);
	}

	/**
	 * Rows not yet written out, as NDJSON lines, from the chunks that overlap a time range (the caller filters by
	 * row): the log reads them beside the batches so nothing is invisible.
	 */
	pending(from: number, to: number): string[] {
		this.#init();
		return this.ctx.storage.sql
			.exec<{ body: string }>(
				'SELECT body FROM pending_chunks WHERE last_at >= ? AND first_at <= ? ORDER BY seq',
				from,
				to
			)
			.toArray()
			.flatMap((r) => r.body.split('\n'));
	}

	/**
	 * Writes every pending chunk as one batch: R2 first, then the D1 index, then the chunks leave the buffer. A
	 * failure anywhere leaves them buffered and throws, so the alarm runs again (Durable Object alarms retry); the
	 * key is fixed by the batch's first row, so a retry overwrites rather than duplicates.
	 */
	async flush(): Promise<number> {
		this.#init();
		const owner = this.#owner();
		const chunks = this.ctx.storage.sql
			.exec<{
				seq: number;
				first_at: number;
				last_at: number;
				count: number;
				first_id: string;
				body: string;
			}>('SELECT * FROM pending_chunks ORDER BY seq')
			.toArray();
		if (!owner || chunks.length === 0) return 0;
		const count = chunks.reduce((n, c) => n + c.count, 0);
		const firstAt = Math.min(...chunks.map((c) => c.first_at));
		const lastAt = Math.max(...chunks.map((c) => c.last_at));
		const key = batchKey(owner, chunks[0].first_at, chunks[0].first_id);
		await this.env.ARTIFACTS.put(key, chunks.map((c) => c.body).join('\n') + '\n', {
			httpMetadata: { contentType: 'application/x-ndjson' }
		});
		await this.env.DB.prepare(
			`INSERT OR REPLACE INTO prediction_batches (workspace_id, model_name, object_key, first_at, last_at, count, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`
		)
			.bind(owner.workspaceId, owner.modelName, key, firstAt, lastAt, count, Date.now())
			.run();
		// Only what was written leaves: chunks appended while R2 and D1 were written stay for the next batch.
		this.ctx.storage.sql.exec('DELETE FROM pending_chunks WHERE seq <= ?', chunks.at(-1)!.seq);
		return count;
	}

	async alarm(): Promise<void> {
		await this.flush();
	}
}
