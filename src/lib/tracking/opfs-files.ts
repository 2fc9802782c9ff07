/**
 * Dataset files in the Origin Private File System (docs/architecture.md, "Offline"): a large dropped file is kept
 * as a file on disk rather than a blob in IndexedDB. Reading it back gives a disk-backed `File`, so attaching a
 * multi-megabyte dataset after a reload does not first pull the whole blob through IndexedDB.
 */

export interface StoredFile {
	name: string;
	lastModified: number;
}

/** A flat folder of files named by dataset id. */
export interface FileFolder {
	write(name: string, blob: Blob): Promise<void>;
	/** The file, or null when it is not there. */
	read(name: string): Promise<File | null>;
	/** Removes the file; one that is not there is already removed. */
	remove(name: string): Promise<void>;
	list(): Promise<StoredFile[]>;
}

const FOLDER = 'datasets';

const notFound = (e: unknown) => e instanceof DOMException && e.name === 'NotFoundError';

/**
 * The app's OPFS folder for datasets, or null where the browser cannot write there from a page: no
 * `storage.getDirectory` (older browsers, some private modes) or no `createWritable` (Safari offers OPFS writes
 * only to workers). Callers then keep files in IndexedDB as before.
 */
export function opfsFolder(
	root: (() => Promise<FileSystemDirectoryHandle>) | null = defaultRoot()
): FileFolder | null {
	if (!root) return null;
	const folder = async () => (await root()).getDirectoryHandle(FOLDER, { create: true });
	return {
		async write(name, blob) {
			const handle = await (await folder()).getFileHandle(name, { create: true });
			const writable = await handle.createWritable();
			try {
				await writable.write(blob);
				await writable.close();
			} catch (e) {
				// The file keeps its old (empty) content: abort leaves no half-written bytes behind.
				await writable.abort().catch(() => undefined);
				throw e;
			}
		},
		async read(name) {
			try {
				return await (await (await folder()).getFileHandle(name)).getFile();
			} catch (e) {
				if (notFound(e)) return null;
				throw e;
			}
		},
		async remove(name) {
			try {
				await (await folder()).removeEntry(name);
			} catch (e) {
				if (!notFound(e)) throw e;
			}
		},
		async list() {
			const out: StoredFile[] = [];
			const dir = await folder();
			for await (const [name, handle] of dir.entries()) {
				if (handle.kind !== 'file') continue;
				const file = await (handle as FileSystemFileHandle).getFile();
				out.push({ name, lastModified: file.lastModified });
			}
			return out;
		}
	};
}

function defaultRoot(): (() => Promise<FileSystemDirectoryHandle>) | null {
	if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return null;
	if (typeof FileSystemFileHandle === 'undefined' || !('createWritable' in FileSystemFileHandle.prototype))
		return null;
	return () => navigator.storage.getDirectory();
}
