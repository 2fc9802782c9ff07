import { expect } from 'vitest';
import { testEnv } from '../helpers';
import { stateDigest } from '../routes/state';
import { callWith, expectError } from '../routes/table';

type Init = Parameters<typeof callWith>[1];

/** Sends; a 4xx must be in the dialect's shape and leave D1 and R2 as they were; a 5xx is always a failure. */
export async function send(
	path: string,
	init: Init,
	what: string
): Promise<{ status: number; text: string }> {
	const before = await stateDigest(testEnv.DB, testEnv.ARTIFACTS);
	const res = await callWith(path, init);
	const label = `${init?.method ?? 'GET'} ${path.slice(0, 200)} (${what})`;
	if (res.status < 400) return { status: res.status, text: await res.text() };
	expect(res.status, `${label}: ${await res.clone().text()}`.slice(0, 600)).toBeLessThan(500);
	// A HEAD answer has no body to be in any shape.
	if (init?.method !== 'HEAD') await expectError(res.clone(), path, label);
	expect(await stateDigest(testEnv.DB, testEnv.ARTIFACTS), `${label} was refused but wrote`).toBe(before);
	return { status: res.status, text: await res.text() };
}

/** Must be refused: a 4xx in the dialect's shape that writes nothing. Returns the error's message. */
export async function expectRefused(path: string, init: Init, what: string): Promise<string> {
	const { status, text } = await send(path, init, what);
	expect(
		status,
		`${init?.method ?? 'GET'} ${path.slice(0, 200)} (${what}) was accepted: ${text.slice(0, 300)}`
	).toBeGreaterThanOrEqual(400);
	const body = JSON.parse(text) as { message?: string; error?: { message: string } };
	return body.message ?? body.error?.message ?? '';
}
