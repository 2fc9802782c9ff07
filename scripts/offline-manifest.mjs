// Every file of the client build under build/_app/immutable, as build/offline-manifest.json, for the service
// worker (src/service-worker.ts): SvelteKit's `$service-worker` `build` list names the app's own chunks but not
// what the web workers' sub-builds emit (their chunks, DuckDB's worker script, TF.js's and ONNX Runtime's wasm),
// and the app cannot open offline without those. See docs/architecture.md, "Offline".
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../build', import.meta.url));

function* walk(dir) {
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) yield* walk(path);
		else if (!name.endsWith('.map')) yield path;
	}
}

const files = [...walk(join(root, '_app', 'immutable'))]
	.map((p) => '/' + relative(root, p).split(sep).join('/'))
	.sort();
writeFileSync(join(root, 'offline-manifest.json'), JSON.stringify(files));
console.log(`build/offline-manifest.json: ${files.length} files for the service worker.`);
