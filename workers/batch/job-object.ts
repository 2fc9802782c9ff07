import { DurableObject } from 'cloudflare:workers';
import { LIMITS, type BatchFormat, type BatchStatus } from '../../src/lib/contract';
import { DomainError, InvalidInput } from '../domain/errors';
import { resolve, score, type InferenceDeps, type Target } from '../inference/service';
import { outputOfRow } from '../predictions/records';
import { readCsvChunk, readParquetChunk, type Chunk } from './input';
import { partKey, updateJob } from './jobs';
import { coercer, resultLine } from './rows';

/**
 * One batch scoring job (one instance per job: `idFromName(jobId)`). It owns the job's cursor in its SQLite and
 * works through the input one chunk per alarm: read the next rows (an R2 range read), score them through the
 * inference service in requests of LIMITS.predictRows with the version pinned at creation, write the chunk's
 * lines as the next NDJSON part in R2, then persist the cursor and the counts, and set the next alarm. A restart
 * between the part's write and the cursor's resumes at the same chunk, which writes the same part key again: no
 * row is lost or written twice. Why a Durable Object rather than a Queue: docs/architecture.md, "Batch scoring".
 */

/** Rows per chunk (one alarm): about 1-2 s of work and a few MB of memory for a 10-column table. */
export const CHUNK_ROWS = 10_000;
/** Retries of a chunk that failed for a reason that is not the input's (storage, the runtime), before the job fails. */
export const MAX_FAILURES = 5;
/** The first retry's delay in ms; it doubles with each failure. */
const RETRY_BASE_MS = 500;

export interface BatchSpec {
	id: string;
	workspaceId: string;
	modelName: string;
	version: number;
	alias: string | null;
	input: { key: string; format: BatchFormat; bytes: number; uploaded: boolean };
	columns: string[];
	rowsTotal: number;
	/** CSV: the first data record's byte offset and line. */
	dataStart: number;
	dataLine: number;
	/** Rows per chunk; CHUNK_ROWS (or the BATCH_CHUNK_ROWS var) when absent. */
	chunkRows?: number;
}

type State = {
	spec: string;
	status: BatchStatus;
	next_row: number;
	next_byte: number;
	next_line: number;
	parts: number;
	error: string | null;
	failures: number;
};

/** What a value the model cannot take fails the job with: the file's row (and line) and the service's words. */
function rowError(e: InvalidInput, first: number, lines: number[]): InvalidInput {
	const issues = (e.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
	const at = issues?.[0]?.path.match(/^rows\.(\d+)\./);
	if (!issues?.length || !at) return e;
	const k = Number(at[1]);
	const line = lines[k] !== undefined ? ` (line ${lines[k]} of the file)` : '';
	return new InvalidInput({
		message: `Row ${first + k}${line}: ${issues[0].message}`,
		details: { row: first + k, ...(lines[k] !== undefined ? { line: lines[k] } : {}), issues }
	});
}

export class BatchJob extends DurableObject<Env & { BATCH_CHUNK_ROWS?: string }> {
	#ready = false;

	#init() {
		if (this.#ready) return;
		this.ctx.storage.sql.exec(
			`CREATE TABLE IF NOT EXISTS job (k INTEGER PRIMARY KEY CHECK (k = 1), spec TEXT NOT NULL, status TEXT NOT NULL,
			   next_row INTEGER NOT NULL, next_byte INTEGER NOT NULL, next_line INTEGER NOT NULL, parts INTEGER NOT NULL,
			   error TEXT, failures INTEGER NOT NULL DEFAULT 0)`
		);
		// Tests only (see simulateCrash): kept in storage, not on the instance, because workerd may replace the
		// instance between a test's calls and an instance field would then be lost.
		this.ctx.storage.sql.exec(
			`CREATE TABLE IF NOT EXISTS test_seam (k INTEGER PRIMARY KEY CHECK (k = 1), crash_after_part INTEGER NOT NULL,
			   retry_base_ms INTEGER NOT NULL)`
		);
		this.#ready = true;
	}

	#seam(): { crash_after_part: number; retry_base_ms: number } | null {
		this.#init();
		return (
			this.ctx.storage.sql
				.exec<{ crash_after_part: number; retry_base_ms: number }>('SELECT * FROM test_seam')
				.toArray()[0] ?? null
		);
	}

	/**
	 * Tests only: the next chunk throws right after its part is written, before the cursor moves, as a crash there
	 * would; its retry waits `retryBaseMs` doubled, long enough that no alarm of the runtime's own races the test.
	 */
	simulateCrash(retryBaseMs: number): void {
		this.#init();
		this.ctx.storage.sql.exec(
			'INSERT OR REPLACE INTO test_seam (k, crash_after_part, retry_base_ms) VALUES (1, 1, ?)',
			retryBaseMs
		);
	}

	#state(): State | null {
		this.#init();
		return this.ctx.storage.sql.exec<State>('SELECT * FROM job').toArray()[0] ?? null;
	}

	/** Takes the job (once: a second call with the same id changes nothing) and schedules its first chunk. */
	async start(spec: BatchSpec): Promise<void> {
		if (this.#state()) return;
		this.ctx.storage.sql.exec(
			`INSERT INTO job (k, spec, status, next_row, next_byte, next_line, parts) VALUES (1, ?, 'queued', 0, ?, ?, 0)`,
			JSON.stringify(spec),
			spec.dataStart,
			spec.dataLine
		);
		await this.ctx.storage.setAlarm(Date.now());
	}

	/** The cursor as this object holds it (tests read it). */
	progress(): { status: BatchStatus; rowsDone: number; parts: number; error: string | null } | null {
		const s = this.#state();
		return s && { status: s.status, rowsDone: s.next_row, parts: s.parts, error: s.error };
	}

	/** Stops a queued or running job: no further chunk runs; its parts and uploaded input are deleted. */
	async cancel(): Promise<BatchStatus | null> {
		const s = this.#state();
		if (!s) return null;
		if (s.status !== 'queued' && s.status !== 'running') return s.status;
		const spec = JSON.parse(s.spec) as BatchSpec;
		this.ctx.storage.sql.exec(`UPDATE job SET status = 'cancelled'`);
		await this.ctx.storage.deleteAlarm();
		await updateJob(this.env.DB, spec.id, { status: 'cancelled', finished_at: Date.now() });
		await this.#cleanUp(spec, s.parts);
		return 'cancelled';
	}

	async #cleanUp(spec: BatchSpec, parts: number) {
		const keys = Array.from({ length: parts }, (_, i) => partKey(spec.workspaceId, spec.id, i + 1));
		if (spec.input.uploaded) keys.push(spec.input.key);
		for (let i = 0; i < keys.length; i += 1000) await this.env.ARTIFACTS.delete(keys.slice(i, i + 1000));
	}

	async #fail(spec: BatchSpec, message: string) {
		this.ctx.storage.sql.exec(`UPDATE job SET status = 'failed', error = ?`, message);
		await updateJob(this.env.DB, spec.id, { status: 'failed', error: message, finished_at: Date.now() });
		if (spec.input.uploaded) await this.env.ARTIFACTS.delete(spec.input.key);
	}

	async alarm(): Promise<void> {
		const s = this.#state();
		if (!s || (s.status !== 'queued' && s.status !== 'running')) return;
		const spec = JSON.parse(s.spec) as BatchSpec;
		try {
			if ((await this.step(spec, s)) === 'more') await this.ctx.storage.setAlarm(Date.now());
		} catch (e) {
			// The input or the model is at fault (a value the model cannot take, a version deleted since): the job
			// fails, saying which row. Anything else is retried from the same cursor, a few times, then fails.
			if (e instanceof DomainError) return this.#fail(spec, e.message);
			const failures = s.failures + 1;
			console.error(`batch job ${spec.id}: chunk at row ${s.next_row} failed (${failures})`, e);
			if (failures >= MAX_FAILURES)
				return this.#fail(
					spec,
					`Chunk at row ${s.next_row} failed ${failures} times: ${(e as Error).message ?? e}`
				);
			this.ctx.storage.sql.exec('UPDATE job SET failures = ?', failures);
			const base = this.#seam()?.retry_base_ms ?? RETRY_BASE_MS;
			await this.ctx.storage.setAlarm(Date.now() + base * 2 ** failures);
		}
	}

	#chunkRows(spec: BatchSpec): number {
		const fromVar = Number(this.env.BATCH_CHUNK_ROWS);
		return spec.chunkRows ?? (Number.isInteger(fromVar) && fromVar > 0 ? fromVar : CHUNK_ROWS);
	}

	/** One chunk: read, score, write the part, then move the cursor. 'more' while rows remain. */
	async step(spec: BatchSpec, s: State): Promise<'more' | 'done'> {
		const max = Math.min(this.#chunkRows(spec), spec.rowsTotal - s.next_row);
		const bucket = this.env.ARTIFACTS;
		const deps: InferenceDeps = { db: this.env.DB, bucket };
		if (max <= 0) return this.#finish(spec);
		if (s.status === 'queued') {
			this.ctx.storage.sql.exec(`UPDATE job SET status = 'running'`);
			await updateJob(this.env.DB, spec.id, { status: 'running' });
		}
		const { key, bytes, format } = spec.input;
		const chunk: Chunk =
			format === 'csv'
				? await readCsvChunk(bucket, key, {
						size: bytes,
						columns: spec.columns,
						offset: s.next_byte,
						line: s.next_line,
						max,
						guess: Math.ceil(((bytes - spec.dataStart) / Math.max(1, spec.rowsTotal)) * max * 1.1)
					})
				: await readParquetChunk(bucket, key, { size: bytes, start: s.next_row, end: s.next_row + max });
		if (chunk.rows.length !== max)
			throw new InvalidInput({
				message: `The input has ${s.next_row + chunk.rows.length} rows where ${spec.rowsTotal} were counted when the job was created.`
			});
		// Pinned: the version named at creation, never the alias's version now.
		const target = await resolve(deps, {
			workspaceId: spec.workspaceId,
			modelName: spec.modelName,
			ref: { version: spec.version }
		});
		const lines = await this.#score(deps, target, spec, chunk, s.next_row);
		const part = s.parts + 1;
		await bucket.put(partKey(spec.workspaceId, spec.id, part), lines.join('\n') + '\n', {
			httpMetadata: { contentType: 'application/x-ndjson' }
		});
		if (this.#seam()?.crash_after_part) {
			this.ctx.storage.sql.exec('UPDATE test_seam SET crash_after_part = 0');
			throw new Error('crash after the part was written (test)');
		}
		// Cancelled while this chunk was scored: its part goes too, and the cursor stays.
		if (this.#state()?.status === 'cancelled') {
			await bucket.delete(partKey(spec.workspaceId, spec.id, part));
			return 'done';
		}
		const rowsDone = s.next_row + max;
		this.ctx.storage.sql.exec(
			'UPDATE job SET next_row = ?, next_byte = ?, next_line = ?, parts = ?, failures = 0',
			rowsDone,
			chunk.nextByte,
			chunk.nextLine,
			part
		);
		await updateJob(this.env.DB, spec.id, { status: 'running', rows_done: rowsDone, parts: part });
		return rowsDone >= spec.rowsTotal ? this.#finish(spec) : 'more';
	}

	async #score(deps: InferenceDeps, target: Target, spec: BatchSpec, chunk: Chunk, first: number) {
		const coerce = coercer(target.prep, spec.input.format === 'csv');
		const lines: string[] = [];
		for (let i = 0; i < chunk.rows.length; i += LIMITS.predictRows) {
			const rows = chunk.rows.slice(i, i + LIMITS.predictRows).map(coerce);
			const body = target.prep
				? { rows }
				: {
						dataframe_split: { columns: spec.columns, data: rows.map((r) => spec.columns.map((c) => r[c])) }
					};
			let out;
			try {
				out = await score(deps, target, body);
			} catch (e) {
				if (e instanceof InvalidInput) throw rowError(e, first + i, chunk.lines.slice(i));
				throw e;
			}
			rows.forEach((row, k) =>
				lines.push(resultLine(first + i + k, row, outputOfRow(out.predictions, k, rows.length)))
			);
		}
		return lines;
	}

	async #finish(spec: BatchSpec): Promise<'done'> {
		this.ctx.storage.sql.exec(`UPDATE job SET status = 'done'`);
		const s = this.#state()!;
		await updateJob(this.env.DB, spec.id, {
			status: 'done',
			rows_done: s.next_row,
			parts: s.parts,
			finished_at: Date.now()
		});
		if (spec.input.uploaded) await this.env.ARTIFACTS.delete(spec.input.key);
		return 'done';
	}
}
