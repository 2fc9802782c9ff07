/** sha-256 as lowercase hex, of text (as UTF-8) or bytes; tokens are stored only as this. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
	const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares without returning early, so the time taken does not tell how much of a secret matched. */
export function sameText(a: string, b: string): boolean {
	const x = new TextEncoder().encode(a);
	const y = new TextEncoder().encode(b);
	let diff = x.length ^ y.length;
	for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
	return diff === 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random text from an alphabet without bias (rejection sampling). */
export function randomText(length: number, alphabet = ALPHABET): string {
	let out = '';
	while (out.length < length) {
		for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
			if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
			if (out.length === length) break;
		}
	}
	return out;
}
