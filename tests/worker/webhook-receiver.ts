/**
 * A webhook endpoint for the Worker tests, run by Miniflare in Node as the Worker's outbound service: the alert
 * tests point rules at http://webhook.test/<path> and read what arrived from http://webhook.test/_received.
 *   /ok       answers 200          /down     answers 503 every time
 *   /flaky/N  answers 500 to the first N requests to that path, then 200
 * Anything not for webhook.test is refused: the tests reach no network.
 */
type Received = { path: string; headers: Record<string, string>; body: string };

const received: Received[] = [];
const seen = new Map<string, number>();

export async function webhookReceiver(request: Request): Promise<Response> {
	const url = new URL(request.url);
	if (url.hostname !== 'webhook.test') return new Response('no network in the tests', { status: 502 });
	if (url.pathname === '/_received') return Response.json(received);
	const body = await request.text();
	received.push({
		path: url.pathname,
		headers: Object.fromEntries(
			[...request.headers].filter(([k]) => k.startsWith('x-edgebook') || k === 'content-type')
		),
		body
	});
	const n = (seen.get(url.pathname) ?? 0) + 1;
	seen.set(url.pathname, n);
	if (url.pathname === '/down') return new Response('down', { status: 503 });
	const flaky = /^\/flaky\/(\d+)/.exec(url.pathname);
	if (flaky && n <= Number(flaky[1])) return new Response('not yet', { status: 500 });
	return new Response('ok', { status: 200 });
}
