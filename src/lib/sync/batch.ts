import { batchJobSchema, type BatchJob } from '$lib/contract';
import type { RegistryClient } from './client';

/**
 * Batch scoring from the notebook: a table's CSV export is sent to the edge as a batch job
 * (POST /api/v1/models/:name/batch), its progress is polled, and its NDJSON result becomes a notebook table
 * (`batch_<model>_<n>`: `row`, the table's columns, then `output_*` as the prediction log flattens them).
 */

export async function startBatchJob(
	client: RegistryClient,
	model: string,
	csv: Uint8Array
): Promise<BatchJob> {
	const body = new Blob([csv as Uint8Array<ArrayBuffer>], { type: 'text/csv' });
	return batchJobSchema.parse(
		await client.postFile(`/api/v1/models/${encodeURIComponent(model)}/batch`, body, 'text/csv')
	);
}

export async function readBatchJob(client: RegistryClient, id: string): Promise<BatchJob> {
	return batchJobSchema.parse(await client.getJson(`/api/v1/batch/${encodeURIComponent(id)}`));
}

/** The table name a result loads as: batch_<model>_<n>, n one past the batch tables already there. */
export function batchTableName(model: string, existing: readonly string[]): string {
	const base = `batch_${model.replace(/[^A-Za-z0-9]+/g, '_')}_`;
	let n = 1;
	while (existing.includes(`${base}${n}`)) n++;
	return `${base}${n}`;
}

export async function batchResultFile(client: RegistryClient, id: string, table: string): Promise<File> {
	const text = await client.getText(`/api/v1/batch/${encodeURIComponent(id)}/result`);
	return new File([text], `${table}.ndjson`, { type: 'application/x-ndjson' });
}
