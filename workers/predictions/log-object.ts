import { DurableObject } from 'cloudflare:workers';
import type { PredictionRecord } from '../../src/lib/contract';

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

export class PredictionLog extends DurableObject<Env> {
	#ready = false;

	#init() {
		if (this.#ready) return;
		this.ctx.storage.sql.exec(
			`CREATE TABLE IF NOT EXISTS pending (id TEXT PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL);
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
	async append(owner: LogOwner, records: PredictionRecord[]): Promise<void> {
		this.#init();
		this.ctx.storage.sql.exec(
			'INSERT OR IGNORE INTO owner (k, workspace_id, model_name) VALUES (1, ?, ?)',
			owner.workspaceId,
			owner.modelName
		);
		for (const r of records)
			this.ctx.storage.sql.exec(
				'INSERT OR IGNORE INTO pending (id, at, body) VALUES (?, ?, ?)',
				r.id,
				r.at,
				JSON.stringify(r)
			);
		const count = this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pending').one().n;
		if (count >= FLUSH_ROWS) await this.flush();
		else if ((await this.ctx.storage.getAlarm()) === null)
			await this.ctx.storage.setAlarm(Date.now() + FLUSH_MS);
	}

	/** Rows not yet written out, in a time range: the log reads them beside the batches so nothing is invisible. */
	pending(from: number, to: number): string[] {
		this.#init();
		// As stored (JSON text): a record's free-form inputs and outputs do not survive RPC's typing otherwise.
		return this.ctx.storage.sql
			.exec<{ body: string }>('SELECT body FROM pending WHERE at >= ? AND at <= ? ORDER BY at, id', from, to)
			.toArray()
			.map((r) => r.body);
	}

	/**
	 * Writes every pending row as one batch: R2 first, then the D1 index, then the rows leave the buffer. A failure
	 * anywhere leaves them buffered and throws, so the alarm runs again (Durable Object alarms retry); the key is
	 * fixed by the batch's first row, so a retry overwrites rather than duplicates.
	 */
	async flush(): Promise<number> {
		this.#init();
		const owner = this.#owner();
		const rows = this.ctx.storage.sql
			.exec<{ id: string; at: number; body: string }>('SELECT id, at, body FROM pending ORDER BY at, id')
			.toArray();
		if (!owner || rows.length === 0) return 0;
		const key = batchKey(owner, rows[0].at, rows[0].id);
		await this.env.ARTIFACTS.put(key, rows.map((r) => r.body).join('\n') + '\n', {
			httpMetadata: { contentType: 'application/x-ndjson' }
		});
		await this.env.DB.prepare(
			`INSERT OR REPLACE INTO prediction_batches (workspace_id, model_name, object_key, first_at, last_at, count, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`
		)
			.bind(owner.workspaceId, owner.modelName, key, rows[0].at, rows.at(-1)!.at, rows.length, Date.now())
			.run();
		const last = rows.at(-1)!;
		// Only what was written leaves: rows appended while R2 and D1 were written stay for the next batch.
		this.ctx.storage.sql.exec(
			'DELETE FROM pending WHERE at < ? OR (at = ? AND id <= ?)',
			last.at,
			last.at,
			last.id
		);
		return rows.length;
	}

	async alarm(): Promise<void> {
		await this.flush();
	}
}
