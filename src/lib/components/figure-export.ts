import { plotSvg } from './chart-layout';

const NS = 'http://www.w3.org/2000/svg';
const FONT = '10px system-ui, sans-serif';
const SWATCH = 15;
const ROW = 22;

/** A whole chart as one standalone SVG: the legend above the plot, as on screen. */
export interface FigureFile {
	svg: string;
	width: number;
	height: number;
}

interface ColorScale {
	type?: string;
	domain?: unknown[];
	range?: unknown[];
}

function el(name: string, attrs: Record<string, string | number>): SVGElement {
	const e = document.createElementNS(NS, name);
	for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
	return e;
}

function textWidth(text: string): number {
	const ctx = document.createElement('canvas').getContext('2d');
	if (!ctx) return text.length * 6;
	ctx.font = FONT;
	return ctx.measureText(text).width;
}

/** Swatches for a categorical colour legend, wrapped into rows as wide as the plot. Plot draws them in HTML. */
function swatches(scale: ColorScale, width: number): { g: SVGElement; height: number } {
	const g = el('g', { 'aria-label': 'legend', 'font-family': 'system-ui, sans-serif', 'font-size': 10 });
	const domain = scale.domain ?? [];
	const range = scale.range ?? [];
	let x = 0;
	let y = 4;
	domain.forEach((value, i) => {
		const label = String(value);
		const w = SWATCH + 4 + textWidth(label) + 14;
		if (x > 0 && x + w > width) {
			x = 0;
			y += ROW;
		}
		const entry = el('g', { class: 'legend-entry', transform: `translate(${x},${y})` });
		entry.append(
			el('rect', { width: SWATCH, height: SWATCH, fill: String(range[i % range.length] ?? '#888') })
		);
		const t = el('text', { x: SWATCH + 4, y: SWATCH / 2, dy: '0.32em', fill: 'currentColor' });
		t.textContent = label;
		entry.append(t);
		g.append(entry);
		x += w;
	});
	return { g, height: domain.length ? y + ROW : 0 };
}

/**
 * Serialize what Plot drew — the plot and every legend — as one SVG file of the figure's size. A legend that
 * Plot draws as SVG (a colour ramp) is nested as is; categorical swatches, which Plot draws in HTML, are redrawn.
 */
export function figureSvg(node: Element): FigureFile | null {
	const plot = plotSvg(node);
	if (!plot) return null;
	const width = Number(plot.getAttribute('width'));
	const plotHeight = Number(plot.getAttribute('height'));
	const root = el('svg', { width, height: 0, 'font-family': 'system-ui, sans-serif' });
	const background = el('rect', { width: '100%', height: '100%', fill: '#fff' });
	root.append(background);
	let y = 0;
	const scale = (node as Element & { scale?: (n: string) => ColorScale | undefined }).scale?.('color');
	if (scale && (scale.type === 'ordinal' || scale.type === 'categorical')) {
		const { g, height } = swatches(scale, width);
		root.append(g);
		y += height;
	} else {
		for (const legend of node.querySelectorAll('svg')) {
			if (legend === plot || legend.parentElement?.closest('svg')) continue;
			if (area(legend) <= SWATCH * SWATCH) continue;
			root.append(nested(legend, y));
			y += Number(legend.getAttribute('height')) || 0;
		}
	}
	root.append(nested(plot, y));
	const height = Math.ceil(y + plotHeight);
	root.setAttribute('height', String(height));
	root.setAttribute('viewBox', `0 0 ${width} ${height}`);
	return { svg: new XMLSerializer().serializeToString(root), width, height };
}

/** A copy placed at `y`, its size pinned inline: Plot's stylesheet sets `height: auto`, which nested would fill the file. */
function nested(svg: Element, y: number): Element {
	const copy = svg.cloneNode(true) as Element;
	copy.setAttribute('y', String(y));
	const w = svg.getAttribute('width');
	const h = svg.getAttribute('height');
	copy.setAttribute('style', `${svg.getAttribute('style') ?? ''};width:${w}px;height:${h}px;max-width:none`);
	return copy;
}

function area(s: Element): number {
	return Number(s.getAttribute('width') ?? 0) * Number(s.getAttribute('height') ?? 0);
}

/** Draw the figure's SVG onto a canvas at `scale` times its size, as a PNG. */
export async function figurePng(fig: FigureFile, scale = 2): Promise<Blob | null> {
	const img = new Image();
	img.src = URL.createObjectURL(new Blob([fig.svg], { type: 'image/svg+xml' }));
	try {
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = Math.ceil(fig.width * scale);
		canvas.height = Math.ceil(fig.height * scale);
		const ctx = canvas.getContext('2d');
		if (!ctx) return null;
		ctx.fillStyle = '#fff';
		ctx.fillRect(0, 0, canvas.width, canvas.height);
		ctx.scale(scale, scale);
		ctx.drawImage(img, 0, 0, fig.width, fig.height);
		return await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'));
	} finally {
		URL.revokeObjectURL(img.src);
	}
}
