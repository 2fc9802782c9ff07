import { Hono } from 'hono';
import { z } from 'zod';
import {
	BATCH_MEDIA_TYPES,
	LIMITS,
	aliasSchema,
	batchCreateSchema,
	type BatchFormat
} from '../../../src/lib/contract';
import { rawInputs } from '../../../src/lib/ml/transforms';
import { requireScope } from '../../auth/middleware';
import type { BatchSpec } from '../../batch/job-object';
import {
	CsvInspector,
	badFile,
	csvError,
	csvInfo,
	inspectParquet,
	inspectStoredCsv,
	inspecting,
	type InputInfo
} from '../../batch/input';
import { JOB_ID, getJob, inputKey, jobView, newJobId, partKey, type BatchJobRow } from '../../batch/jobs';
import { InvalidInput } from '../../domain/errors';
import { ApiError } from '../../errors';
import { jsonBody, parseWith } from '../../http/body';
import { declaredLength, lengthFailure, hashing } from '../../http/upload';
import { resolve, type Target, type VersionRef } from '../../inference/service';
import { blobKey, getBlobRef } from '../../registry/read-artifacts';
import type { AppEnv } from '../../types';
import { conflictError, notFound, param, ws, type Ctx } from './common';
import { modelName, versionParam } from './model-common';
import { DEFAULT_ALIAS } from './predict';

/**
 * Batch scoring over HTTP (docs/architecture.md, "Batch scoring"). POST /api/v1/models/:name/batch takes a CSV or
 * Parquet file as the body (text/csv, application/vnd.apache.parquet; `?alias=` or `?version=`, default the
 * champion) or JSON naming a blob this workspace stored (`{"input": {"sha256", "format"}, "alias"|"version"}`),
 * checks it (the model serves, the file parses, has rows and every column the model reads) and answers 202 with the
 * job; the job's Durable Object scores it in chunks. GET /api/v1/batch/:id is its progress, GET …/result the
 * NDJSON result once done (409 before), DELETE cancels a job still running. Every route needs the `predict` scope.
 */
export const batchCreate = new Hono<AppEnv>();
export const batchJobs = new Hono<AppEnv>();

const refQuery = z
	.strictObject({
		alias: aliasSchema.optional(),
		version: versionParam.optional()
	})
	.refine((q) => q.alias === undefined || q.version === undefined, {
		message: 'name a version or an alias, not both',
		path: ['alias']
	});

const refOf = (o: { alias?: string; version?: number }): VersionRef =>
	o.version !== undefined ? { version: o.version } : { alias: o.alias ?? DEFAULT_ALIAS };

function formatOf(c: Ctx): BatchFormat | 'json' {
	const raw = c.req.header('content-type') ?? '';
	const type = raw.split(';')[0].trim().toLowerCase();
	if (type === 'application/json') return 'json';
	const format = BATCH_MEDIA_TYPES[type];
	if (format) return format;
	throw new ApiError({
		status: 415,
		code: 'unsupported_media_type',
		message: `The body must be a CSV file (text/csv), a Parquet file (application/vnd.apache.parquet) or JSON naming a stored blob (application/json), not ${raw ? `"${raw.slice(0, 100)}"` : 'a body without a Content-Type'}.`,
		details: { accepted: [...Object.keys(BATCH_MEDIA_TYPES), 'application/json'] }
	});
}

/** The body streamed to the job's own key; a CSV checked as it passes. Deleted again if anything is wrong. */
async function storeUpload(c: Ctx, key: string, format: BatchFormat): Promise<InputInfo> {
	const length = declaredLength(c.req.raw, LIMITS.batchInputBytes);
	if (length === 0) throw emptyBody();
	const bucket = c.env.ARTIFACTS;
	const inspector = new CsvInspector();
	const body = hashing(c.req.raw.body);
	const stream = format === 'csv' ? inspecting(body.stream, inspector) : body.stream;
	try {
		await bucket.put(key, stream.pipeThrough(new FixedLengthStream(length)));
		const wrong = lengthFailure(body, length);
		if (wrong) throw wrong;
		return format === 'csv' ? csvInfo(inspector, length) : await inspectParquet(bucket, key, length);
	} catch (e) {
		await bucket.delete(key);
		// R2 reports the stream's error in its own words: the inspector's finding is the one to answer.
		throw (
			(inspector.failure && csvError(inspector.failure)) ??
			(e instanceof InvalidInput || e instanceof ApiError ? e : lengthFailure(body, length)) ??
			e
		);
	}
}

const emptyBody = () =>
	new ApiError({
		status: 400,
		code: 'invalid_request',
		message:
			'The body is empty: send the CSV or Parquet file to score as the body, or JSON naming a stored blob ({"input": {"sha256": "…", "format": "csv"}}).'
	});

/** A named blob: this workspace must have stored it (blob_refs), and its bytes must be there. */
async function inspectBlob(c: Ctx, sha: string, format: BatchFormat): Promise<InputInfo> {
	const ref = await getBlobRef(c.env.DB, ws(c), sha);
	const head = ref && (await c.env.ARTIFACTS.head(blobKey(sha)));
	if (!ref || !head)
		throw notFound(
			`No uploaded blob with sha-256 ${sha}: PUT the file to /api/v1/blobs/${sha} first, or send it as the body.`,
			{ sha256: sha }
		);
	if (head.size === 0) throw badFile(format, 'the blob is empty (0 bytes)', { sha256: sha });
	return format === 'csv'
		? inspectStoredCsv(c.env.ARTIFACTS, blobKey(sha))
		: inspectParquet(c.env.ARTIFACTS, blobKey(sha), head.size);
}

/** What the model needs of the file: every column it reads, and at least one row. */
function checkFits(target: Target, info: InputInfo) {
	if (target.prep) {
		const have = new Set(info.columns);
		const missing = [...rawInputs(target.prep).keys()].filter((c) => !have.has(c));
		if (missing.length)
			throw badFile(
				info.format,
				`the model "${target.modelName}" (version ${target.version}) needs the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}, which the file does not have (it has ${info.columns.map((m) => `"${m}"`).join(', ') || 'none'}).`,
				{ missing, columns: info.columns }
			);
	}
	if (info.rows === 0)
		throw badFile(info.format, 'the file has no rows to score (a header only).', { rows: 0 });
}

batchCreate.post('/:name/batch', requireScope('predict'), async (c) => {
	const name = modelName(c);
	const format = formatOf(c);
	const deps = { db: c.env.DB, bucket: c.env.ARTIFACTS };
	const id = newJobId();
	let info: InputInfo;
	let target: Target;
	let input: BatchSpec['input'];
	let sha: string | null = null;
	if (format === 'json') {
		const raw = c.req.header('content-length');
		if (raw === '0') throw emptyBody();
		const body = await jsonBody(c, batchCreateSchema);
		target = await resolve(deps, { workspaceId: ws(c), modelName: name, ref: refOf(body) });
		sha = body.input.sha256;
		info = await inspectBlob(c, sha, body.input.format);
		input = { key: blobKey(sha), format: body.input.format, bytes: info.bytes, uploaded: false };
	} else {
		const q = parseWith(refQuery, c.req.query(), 'query');
		// The version first: an unknown model or alias is a 404 before any byte is stored.
		target = await resolve(deps, { workspaceId: ws(c), modelName: name, ref: refOf(q) });
		const key = inputKey(ws(c), id, format);
		info = await storeUpload(c, key, format);
		input = { key, format, bytes: info.bytes, uploaded: true };
	}
	try {
		checkFits(target, info);
	} catch (e) {
		if (input.uploaded) await c.env.ARTIFACTS.delete(input.key);
		throw e;
	}
	const spec: BatchSpec = {
		id,
		workspaceId: ws(c),
		modelName: target.modelName,
		version: target.version,
		alias: target.alias ?? null,
		input,
		columns: info.columns,
		rowsTotal: info.rows,
		dataStart: info.dataStart,
		dataLine: info.dataLine
	};
	const now = Date.now();
	await c.env.DB.prepare(
		`INSERT INTO batch_jobs (id, workspace_id, model_name, version, alias, input_sha256, input_format, input_bytes,
		   status, rows_total, rows_done, parts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, 0, 0, ?, ?)`
	)
		.bind(
			id,
			ws(c),
			spec.modelName,
			spec.version,
			spec.alias,
			sha,
			format === 'json' ? input.format : format,
			info.bytes,
			info.rows,
			now,
			now
		)
		.run();
	try {
		await c.env.BATCH_JOB.get(c.env.BATCH_JOB.idFromName(id)).start(spec);
	} catch (e) {
		await c.env.DB.prepare(`UPDATE batch_jobs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`)
			.bind(`The job could not start: ${(e as Error).message ?? e}`, Date.now(), id)
			.run();
		throw e;
	}
	const job = await getJob(c.env.DB, ws(c), id);
	c.header('Location', `/api/v1/batch/${id}`);
	return c.json(jobView(job as BatchJobRow), 202);
});

const jobId = (c: Ctx) => param(c, 'id', z.string().regex(JOB_ID, 'a batch job id is bj_ and 32 hex digits'));

async function mustGetJob(c: Ctx): Promise<BatchJobRow> {
	const id = jobId(c);
	const job = await getJob(c.env.DB, ws(c), id);
	if (!job) throw notFound(`No batch job ${id}.`, { id });
	return job;
}

batchJobs.get('/:id', requireScope('predict'), async (c) => c.json(jobView(await mustGetJob(c)), 200));

batchJobs.get('/:id/result', requireScope('predict'), async (c) => {
	const job = await mustGetJob(c);
	if (job.status !== 'done')
		throw conflictError(
			job.status === 'failed' || job.status === 'cancelled'
				? `Batch job ${job.id} is ${job.status}${job.error ? `: ${job.error}` : ''}; it has no result.`
				: `Batch job ${job.id} is ${job.status} (${job.rows_done} of ${job.rows_total ?? '?'} rows): its result is ready when its status is done.`,
			{ id: job.id, status: job.status, rowsDone: job.rows_done, rowsTotal: job.rows_total }
		);
	const bucket = c.env.ARTIFACTS;
	let next = 1;
	// The parts in order, one at a time: the result is never held whole.
	const stream = new ReadableStream<Uint8Array>({
		async pull(out) {
			if (next > job.parts) return out.close();
			const obj = await bucket.get(partKey(job.workspace_id, job.id, next++));
			if (!obj)
				return out.error(new Error(`part ${next - 1} of batch job ${job.id} is missing from storage`));
			out.enqueue(new Uint8Array(await obj.arrayBuffer()));
		}
	});
	return new Response(stream, {
		status: 200,
		headers: {
			'content-type': 'application/x-ndjson',
			'content-disposition': `attachment; filename="${job.id}.ndjson"`,
			'x-edgebook-rows': String(job.rows_done)
		}
	});
});

batchJobs.delete('/:id', requireScope('predict'), async (c) => {
	const job = await mustGetJob(c);
	if (job.status !== 'queued' && job.status !== 'running')
		throw conflictError(
			`Batch job ${job.id} is ${job.status}: only a queued or running job can be cancelled.`,
			{
				id: job.id,
				status: job.status
			}
		);
	await c.env.BATCH_JOB.get(c.env.BATCH_JOB.idFromName(job.id)).cancel();
	return c.json(jobView((await getJob(c.env.DB, ws(c), job.id)) as BatchJobRow), 200);
});
