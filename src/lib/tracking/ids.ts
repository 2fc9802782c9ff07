/** Short random ids: unique enough for one user's notebooks and cells, and valid as nbformat cell ids. */
export function newId(prefix = ''): string {
	const bytes = crypto.getRandomValues(new Uint8Array(9));
	const id = btoa(String.fromCharCode(...bytes))
		.replaceAll('+', '-')
		.replaceAll('/', '_');
	return prefix ? `${prefix}_${id}` : id;
}
