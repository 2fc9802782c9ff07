/**
 * Give queued messages (a `cancel()`) a turn. Resolving a promise is not enough (cpu/wasm reads resolve as
 * microtasks), and nested `setTimeout`s are clamped to 4 ms in browsers: a MessageChannel round trip is neither.
 */
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];
export function yieldToEvents(): Promise<void> {
	if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r)); // Node (tests)
	if (!channel) {
		channel = new MessageChannel();
		channel.port1.onmessage = () => waiting.shift()?.();
	}
	const port = channel.port2;
	return new Promise((r) => {
		waiting.push(r);
		port.postMessage(null);
	});
}
