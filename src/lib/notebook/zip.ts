/**
 * A minimal zip writer (stored entries, no compression), so the .ipynb export can carry its datasets in one
 * download without a dependency. Stored entries keep it a few lines: CSV would compress, but the bytes are
 * already in memory once and every unzip tool reads stored entries. No zip64: an entry or an archive of
 * 4 GiB or more is refused by name instead of being written corrupt.
 */

export interface ZipEntry {
	/** Path inside the archive, `/`-separated. */
	name: string;
	data: Uint8Array;
}

const LIMIT = 0xffffffff;

let crcTable: Uint32Array | null = null;

export function crc32(data: Uint8Array): number {
	if (!crcTable) {
		crcTable = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c >>> 0;
		}
	}
	let crc = 0xffffffff;
	for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time, local time as zip tools expect; 1980 is the earliest it can say. */
function dosTime(d: Date): { time: number; date: number } {
	const year = Math.max(d.getFullYear(), 1980);
	return {
		time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
		date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()
	};
}

function header(size: number, fill: (v: DataView) => void): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(size);
	fill(new DataView(bytes.buffer));
	return bytes;
}

export function zip(entries: readonly ZipEntry[], now = new Date()): Blob {
	const { time, date } = dosTime(now);
	const parts: BlobPart[] = [];
	const central: Uint8Array<ArrayBuffer>[] = [];
	let offset = 0;
	for (const entry of entries) {
		const name = new TextEncoder().encode(entry.name);
		const size = entry.data.length;
		if (size >= LIMIT || offset >= LIMIT) {
			throw new Error(`${entry.name} does not fit in the zip: entries and archives stop at 4 GiB`);
		}
		const crc = crc32(entry.data);
		// Bit 11: the name is UTF-8. Version 20 (2.0) is what stored entries need.
		const common = (v: DataView, at: number) => {
			v.setUint16(at, 20, true);
			v.setUint16(at + 2, 0x0800, true);
			v.setUint16(at + 4, 0, true);
			v.setUint16(at + 6, time, true);
			v.setUint16(at + 8, date, true);
			v.setUint32(at + 10, crc, true);
			v.setUint32(at + 14, size, true);
			v.setUint32(at + 18, size, true);
			v.setUint16(at + 22, name.length, true);
		};
		const local = header(30, (v) => {
			v.setUint32(0, 0x04034b50, true);
			common(v, 4);
		});
		central.push(
			header(46, (v) => {
				v.setUint32(0, 0x02014b50, true);
				v.setUint16(4, 20, true);
				common(v, 6);
				v.setUint32(42, offset, true);
			}),
			name
		);
		parts.push(local, name, entry.data as BlobPart);
		offset += local.length + name.length + size;
	}
	const centralSize = central.reduce((n, b) => n + b.length, 0);
	if (offset + centralSize >= LIMIT) throw new Error('The zip would be over 4 GiB, more than it can hold');
	const end = header(22, (v) => {
		v.setUint32(0, 0x06054b50, true);
		v.setUint16(8, entries.length, true);
		v.setUint16(10, entries.length, true);
		v.setUint32(12, centralSize, true);
		v.setUint32(16, offset, true);
	});
	return new Blob([...parts, ...central, end], { type: 'application/zip' });
}
