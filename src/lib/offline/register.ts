import { dev } from '$app/environment';

/**
 * Registers the service worker (src/service-worker.ts) and tells `onUpdate` when a newer version is installed and
 * waiting: the page keeps running its code until the user chooses to reload (docs/architecture.md, "Offline").
 * A browser without service workers (or a page not served over a secure context) runs as before, online only.
 */
export async function registerServiceWorker(onUpdate: (apply: () => void) => void): Promise<void> {
	if (!('serviceWorker' in navigator)) return;
	const registration = await navigator.serviceWorker.register('/service-worker.js', {
		type: dev ? 'module' : 'classic'
	});
	const offer = (waiting: ServiceWorker) =>
		onUpdate(() => {
			navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
			waiting.postMessage({ type: 'SKIP_WAITING' });
		});
	// The engines' wasm into the cache in the background, once this page no longer needs the network for itself.
	void navigator.serviceWorker.ready.then((r) => r.active?.postMessage({ type: 'WARM_ENGINES' }));
	// Only an update is offered: the first install has no page code to replace.
	if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
	registration.addEventListener('updatefound', () => {
		const installing = registration.installing;
		installing?.addEventListener('statechange', () => {
			if (installing.state === 'installed' && navigator.serviceWorker.controller) offer(installing);
		});
	});
}
