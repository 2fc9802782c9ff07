import type { ChartSpec } from '$lib/notebook/schema';
import type { ChartData } from '$lib/data/types';
import { plotOptions } from './plot-spec';

/** Width of exported chart images, in CSS pixels; drawn at twice that for sharp text. */
const WIDTH = 720;
const SCALE = 2;

/**
 * Draw a chart off screen and rasterise it to PNG, for exports that carry images (the .ipynb). PNG, not SVG:
 * Jupyter does not render SVG from a notebook it has not run itself (an untrusted notebook), but shows PNG.
 */
export async function chartPng(spec: ChartSpec, data: ChartData): Promise<Uint8Array | null> {
	// Plot (and d3 under it) loads only when a chart is drawn.
	const Plot = await import('@observablehq/plot');
	const node = Plot.plot(plotOptions(Plot, spec, data, WIDTH));
	// With a legend Plot returns a figure; the plot itself is its widest svg.
	const svgs = node instanceof SVGSVGElement ? [node] : [...node.querySelectorAll('svg')];
	const svg = svgs.sort((a, b) => size(b).width - size(a).width)[0];
	if (!svg) return null;
	const { width, height } = size(svg);
	svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
	const text = new XMLSerializer().serializeToString(svg);
	const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
	try {
		const img = new Image();
		img.src = url;
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = Math.ceil(width * SCALE);
		canvas.height = Math.ceil(height * SCALE);
		const ctx = canvas.getContext('2d');
		if (!ctx) return null;
		ctx.fillStyle = '#fff';
		ctx.fillRect(0, 0, canvas.width, canvas.height);
		ctx.scale(SCALE, SCALE);
		ctx.drawImage(img, 0, 0, width, height);
		const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
		return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
	} finally {
		URL.revokeObjectURL(url);
	}
}

function size(svg: SVGSVGElement): { width: number; height: number } {
	return { width: Number(svg.getAttribute('width')) || 0, height: Number(svg.getAttribute('height')) || 0 };
}
