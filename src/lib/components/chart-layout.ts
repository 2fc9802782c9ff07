import { DEFAULT_LAYOUT, type ChartLayout } from './plot-spec';

/** Room between the axis line and the tick labels, and for the axis label under them. */
const TICK_ROOM = 10;
const AXIS_LABEL_ROOM = 18;
/** About one line of 10px tick text: upright labels closer than this overlap. */
const LINE = 12;

function rects(svg: Element, axis: 'x' | 'y'): DOMRect[] {
	return [...svg.querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`)].map((t) =>
		t.getBoundingClientRect()
	);
}

/** The plot's own SVG inside what Plot returned (a figure also holds legends, whose swatches are SVGs too). */
export function plotSvg(node: Element): SVGSVGElement | null {
	if (node instanceof SVGSVGElement) return node;
	const all = [...node.querySelectorAll('svg')].filter((s) => s.parentElement?.closest('svg') === null);
	return all.sort((a, b) => area(b) - area(a))[0] ?? null;
}

function area(s: SVGSVGElement): number {
	return Number(s.getAttribute('width') ?? 0) * Number(s.getAttribute('height') ?? 0);
}

/**
 * Measure the drawn chart: the layout it needs so that no tick label is clipped or overlaps its neighbour, or
 * null when the current one is right. Measured rather than guessed, since label widths depend on the font.
 */
export function nextLayout(node: Element, current: ChartLayout): ChartLayout | null {
	const svg = plotSvg(node);
	if (!svg) return null;
	const box = svg.getBoundingClientRect();
	const next = { ...current };
	const ys = rects(svg, 'y');
	const left = Math.min(box.left, ...ys.map((r) => r.left));
	if (left < box.left + 2) next.marginLeft = Math.ceil(current.marginLeft + (box.left - left) + 6);

	const xs = rects(svg, 'x').sort((a, b) => a.left - b.left);
	const overlap = xs.some((r, i) => i > 0 && xs[i - 1].right + 2 > r.left);
	const longest = Math.max(0, ...xs.map((r) => (current.rotateX ? r.height : r.width)));
	if (overlap && !current.rotateX) {
		next.rotateX = true;
		next.marginBottom = Math.max(
			DEFAULT_LAYOUT.marginBottom,
			Math.ceil(longest + TICK_ROOM + AXIS_LABEL_ROOM)
		);
	} else if (overlap && current.rotateX) {
		const step = xs.length > 1 ? (xs[xs.length - 1].left - xs[0].left) / (xs.length - 1) : LINE;
		next.xEvery = current.xEvery * Math.max(2, Math.ceil(LINE / Math.max(step, 1)));
	}
	const right = Math.max(0, ...xs.map((r) => r.right));
	if (right > box.right - 1) next.marginRight = Math.ceil(current.marginRight + (right - box.right) + 4);
	const bottom = Math.max(...xs.map((r) => r.bottom), box.bottom);
	if (bottom > box.bottom + 1) next.marginBottom = Math.ceil(next.marginBottom + (bottom - box.bottom) + 4);

	const same =
		next.marginLeft === current.marginLeft &&
		next.marginRight === current.marginRight &&
		next.marginBottom === current.marginBottom &&
		next.rotateX === current.rotateX &&
		next.xEvery === current.xEvery;
	return same ? null : next;
}

/** Puts a drawn chart into `host`, which is the caller's alone: Plot builds its own DOM, Svelte never diffs in it. */
export function drawInto(host: HTMLElement, node: Element): void {
	host.replaceChildren(node);
}

/**
 * Draw into `host`, measure, and redraw with the room the labels need (a few passes at most). The host is the
 * caller's alone: Plot builds its own DOM, so Svelte never diffs inside it.
 */
export function drawFitted(
	host: HTMLElement,
	draw: (layout: ChartLayout) => Element,
	start: ChartLayout = DEFAULT_LAYOUT
): Element {
	let node = draw(start);
	host.replaceChildren(node);
	let layout = nextLayout(node, start);
	for (let pass = 0; layout && pass < 3; pass++) {
		node = draw(layout);
		host.replaceChildren(node);
		layout = nextLayout(node, layout);
	}
	return node;
}
