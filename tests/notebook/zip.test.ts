import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, zip } from '../../src/lib/notebook/zip';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('zip', () => {
	it('computes the standard CRC-32', () => {
		expect(crc32(bytes('123456789'))).toBe(0xcbf43926);
		expect(crc32(new Uint8Array())).toBe(0);
	});

	it("writes an archive Python's zipfile reads back, CRCs checked, UTF-8 names kept", async () => {
		const entries = [
			{ name: 'Étude/Étude.ipynb', data: bytes('{"cells": []}\n') },
			{ name: 'Étude/data/empty.csv', data: new Uint8Array() },
			{ name: 'Étude/data/birds.csv', data: bytes('species\nAdelie\n'.repeat(1000)) }
		];
		const file = join(mkdtempSync(join(tmpdir(), 'zip-')), 'out.zip');
		writeFileSync(file, new Uint8Array(await zip(entries).arrayBuffer()));
		const py = [
			'import json, sys, zipfile',
			'z = zipfile.ZipFile(sys.argv[1])',
			'print(json.dumps({"bad": z.testzip(), "files": {i.filename: z.read(i).decode() for i in z.infolist()}}))'
		].join('\n');
		const r = spawnSync('python3', ['-c', py, file], { encoding: 'utf8' });
		expect(r.stderr).toBe('');
		expect(JSON.parse(r.stdout)).toEqual({
			bad: null,
			files: Object.fromEntries(entries.map((e) => [e.name, new TextDecoder().decode(e.data)]))
		});
	});
});
