/** Save bytes as a file through a temporary link: works offline and needs no server round trip. */
export function download(
	data: Blob | Uint8Array | string,
	fileName: string,
	type = 'application/octet-stream'
): void {
	const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type });
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = fileName;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 1000);
}
