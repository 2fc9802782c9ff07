/**
 * Alert webhooks (docs/architecture.md, "Monitoring"): the body is signed as Stripe signs its events, so a receiver
 * can check it came from this registry and is not a replay: header `x-edgebook-signature: t=<ms>,v1=<hex>` where
 * hex = HMAC-SHA256(secret, `${t}.${body}`). A delivery is one POST with a timeout; the caller retries.
 */

export const SIGNATURE_HEADER = 'x-edgebook-signature';
/** Attempts per event: the first and three retries, each `RETRY_FACTOR` times later than the one before. */
export const MAX_ATTEMPTS = 4;
export const RETRY_FACTOR = 5;
const TIMEOUT_MS = 10_000;

const hex = (bytes: ArrayBuffer) =>
	Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

export async function signature(secret: string, timestamp: number, body: string): Promise<string> {
	const key = await crypto.subtle.importKey(
		'raw',
		new TextEncoder().encode(secret),
		{ name: 'HMAC', hash: 'SHA-256' },
		false,
		['sign']
	);
	const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`));
	return `t=${timestamp},v1=${hex(mac)}`;
}

/** When the attempt after `attempt` (1-based) is due: base, base·5, base·25 after the first, second, third. */
export function retryAt(now: number, attempt: number, baseMs: number): number {
	return now + baseMs * RETRY_FACTOR ** (attempt - 1);
}

export interface DeliveryResult {
	status: number | null;
	error: string | null;
	ok: boolean;
}

/** One signed POST. A 2xx is delivered; anything else (a status, a timeout, no connection) is a failed attempt. */
export async function deliver(
	url: string,
	secret: string,
	eventId: string,
	body: string,
	now = Date.now()
): Promise<DeliveryResult> {
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'user-agent': 'edgebook-alerts',
				'x-edgebook-event': eventId,
				[SIGNATURE_HEADER]: await signature(secret, now, body)
			},
			body,
			signal: AbortSignal.timeout(TIMEOUT_MS)
		});
		// The body is not needed; reading it frees the connection.
		await res.body?.cancel();
		return res.ok
			? { status: res.status, error: null, ok: true }
			: { status: res.status, error: `the endpoint answered ${res.status}`, ok: false };
	} catch (e) {
		return { status: null, error: (e as Error).message || String(e), ok: false };
	}
}
