import { z } from 'zod';

/**
 * How an alias splits its traffic (PUT /api/v1/models/:name/aliases/:alias/traffic): a canary sends `percent` of
 * requests to a second version, sticky by a request key so one caller keeps meeting one version; a shadow has a
 * second version score every request while only the alias's own version answers (both outputs are logged). Kept
 * as the model tag `edgebook.traffic.<alias>`, so it travels the one write path and syncs like every other tag.
 */
const headerName = z
	.string()
	.regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name is 1–64 letters, digits or dashes')
	.transform((h) => h.toLowerCase());
const paramName = z.string().min(1).max(64);

export const stickyBySchema = z.union([
	z.strictObject({ header: headerName }),
	/** A field of the body's `params` (MLflow's per-request parameters), e.g. a user id. */
	z.strictObject({ param: paramName })
]);

export type StickyBy = z.infer<typeof stickyBySchema>;

export const trafficSchema = z.union([
	z.strictObject({
		canary: z.strictObject({
			version: z.number().int().positive(),
			percent: z.number().min(0).max(100),
			stickyBy: stickyBySchema.optional()
		})
	}),
	z.strictObject({ shadow: z.strictObject({ version: z.number().int().positive() }) })
]);
export type Traffic = z.infer<typeof trafficSchema>;

/** What GET/PUT …/aliases/:alias/traffic answer: the alias, the version it serves, and its split. */
export const aliasTrafficSchema = z.object({
	alias: z.string(),
	version: z.number().int().positive(),
	traffic: trafficSchema
});

/** A split as its tag stores it (JSON text), or null when the text is absent or is not a split. */
export function parseTraffic(raw: string | null | undefined): Traffic | null {
	if (!raw) return null;
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch {
		return null;
	}
	const parsed = trafficSchema.safeParse(value);
	return parsed.success ? parsed.data : null;
}

export const trafficTag = (alias: string) => `edgebook.traffic.${alias}`;

/**
 * A request key's place in [0, 100): FNV-1a over the alias and the key, so one key always lands in the same place
 * for one alias (sticky), and different aliases split independently.
 */
export function trafficBucket(alias: string, key: string): number {
	let h = 0x811c9dc5;
	for (const byte of new TextEncoder().encode(`${alias}\n${key}`)) {
		h ^= byte;
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return (h % 10_000) / 100;
}
