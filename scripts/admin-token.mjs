// The local workspace's first admin token. `npm start` calls this after the migrations: when no admin token
// exists and none is configured (EDGEBOOK_ADMIN_TOKEN in the environment or .dev.vars), it mints one, stores
// only its sha-256 in local D1 and prints the secret once. The format matches workers/auth/tokens.ts.
import { createHash, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runWrangler } from './wrangler.mjs';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (n) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** EDGEBOOK_ADMIN_TOKEN from the environment, else from .dev.vars (which wrangler dev also reads). */
export function configuredAdminToken() {
	if (process.env.EDGEBOOK_ADMIN_TOKEN) return process.env.EDGEBOOK_ADMIN_TOKEN;
	const file = join(ROOT, '.dev.vars');
	if (!existsSync(file)) return null;
	const line = readFileSync(file, 'utf8')
		.split('\n')
		.find((l) => /^\s*EDGEBOOK_ADMIN_TOKEN\s*=/.test(l));
	return line
		? line
				.split('=')
				.slice(1)
				.join('=')
				.trim()
				.replace(/^["']|["']$/g, '')
		: null;
}

async function d1(persistTo, sql) {
	const out = await runWrangler(
		['d1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--json', '--command', sql],
		{ quiet: true }
	);
	return JSON.parse(out.slice(out.indexOf('[')))[0].results;
}

/** Returns the new secret when one was minted, else null. */
export async function ensureAdminToken({ persistTo }) {
	if (configuredAdminToken()) return null;
	const [{ n }] = await d1(
		persistTo,
		`SELECT COUNT(*) AS n FROM tokens WHERE workspace_id = 'local' AND revoked_at IS NULL AND scopes LIKE '%"admin"%'`
	);
	if (n > 0) return null;
	const id = randomText(16);
	const secret = `eb_${id}_${randomText(43)}`;
	const hash = createHash('sha256').update(secret).digest('hex');
	await d1(
		persistTo,
		`INSERT INTO tokens (id, workspace_id, name, secret_hash, scopes, created_at)
		 VALUES ('${id}', 'local', 'first admin token', '${hash}', '["admin"]', ${Date.now()})`
	);
	return secret;
}
