import { ortForWorkerd } from './ort-shim';

/**
 * Readies onnxruntime in this isolate before the first prediction needs it: the module import, the wasm
 * instance and ORT's runtime (which starts on its first session), measured at about 150 ms of a cold first
 * prediction under wrangler dev (docs/architecture.md). A 68-byte graph (y = Identity(x), float [1], opset 17)
 * is the smallest thing that makes ORT start its runtime; it is released at once.
 */
const IDENTITY =
	'CAg6OgoQCgF4EgF5IghJZGVudGl0eRIEd2FybVoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE=';

let warming: Promise<void> | undefined;

export function warmInference(): Promise<void> {
	warming ??= (async () => {
		const ort = await ortForWorkerd();
		const bytes = Uint8Array.from(atob(IDENTITY), (c) => c.charCodeAt(0));
		const session = await ort.InferenceSession.create(bytes);
		await session.release();
	})().catch(() => {
		// A failed warm-up costs nothing: the first prediction loads ORT itself and reports what is wrong.
	});
	return warming;
}
