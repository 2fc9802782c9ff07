/**
 * The CNN's layers. TF.js computes images as NHWC, ONNX's Conv and MaxPool as NCHW: the image is transposed to
 * NCHW once after the Reshape and back to NHWC before the Flatten, so the flattened row has TF's
 * (row, column, channel) order and the following Dense's kernel applies unchanged.
 */
import { activation } from './dense';
import { Graph, requireRows, unsupported, type Flow } from './graph';
import type { TfLayer } from './read-artifacts';

const pair = (v: unknown): [number, number] =>
	Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)];

function requireImage(layer: TfLayer, flow: Flow): [number, number, number] {
	if (flow.layout !== 'nchw') unsupported(layer, 'expects an image; reshape the rows first');
	if ((layer.config.data_format ?? 'channels_last') !== 'channels_last')
		unsupported(layer, `data_format ${String(layer.config.data_format)} (only channels_last exports)`);
	return flow.shape as [number, number, number];
}

/**
 * Output size and ONNX pads [begin, end] of one spatial axis, as TF computes them: 'same' puts the odd pixel of
 * padding at the end, so explicit pads reproduce it whatever the image size.
 */
function axis(layer: TfLayer, size: number, kernel: number, stride: number, dilation: number) {
	const span = (kernel - 1) * dilation + 1;
	if (layer.config.padding === 'valid') return { out: Math.floor((size - span) / stride) + 1, pads: [0, 0] };
	if (layer.config.padding !== 'same') unsupported(layer, `padding ${String(layer.config.padding)}`);
	const out = Math.ceil(size / stride);
	const total = Math.max((out - 1) * stride + span - size, 0);
	return { out, pads: [Math.floor(total / 2), total - Math.floor(total / 2)] };
}

function spatial(layer: TfLayer, [h, w]: number[], kernel: number[], strides: number[], dilation: number[]) {
	const y = axis(layer, h, kernel[0], strides[0], dilation[0]);
	const x = axis(layer, w, kernel[1], strides[1], dilation[1]);
	if (y.out < 1 || x.out < 1) unsupported(layer, `a ${kernel} window does not fit a ${h}×${w} image`);
	// ONNX pads are [y_begin, x_begin, y_end, x_end].
	return { out: [y.out, x.out], pads: [y.pads[0], x.pads[0], y.pads[1], x.pads[1]] };
}

export function reshape(g: Graph, layer: TfLayer, flow: Flow): Flow {
	const width = requireRows(layer, flow);
	const target = Array.isArray(layer.config.target_shape) ? layer.config.target_shape.map(Number) : [];
	if (target.reduce((p, d) => p * d, 1) !== width)
		unsupported(layer, `target shape [${target}] does not hold ${width} values`);
	if (target.length === 1) return flow;
	if (target.length !== 3) unsupported(layer, `target shape [${target}] (only [h, w, c] images export)`);
	const shape = g.constant(`${layer.name}/shape`, [4], BigInt64Array.from([-1, ...target].map(BigInt)));
	const nhwc = g.add(layer, 'Reshape', [flow.name, shape]);
	return { name: g.add(layer, 'Transpose', [nhwc], { perm: [0, 3, 1, 2] }), layout: 'nchw', shape: target };
}

export function conv2d(g: Graph, layer: TfLayer, flow: Flow): Flow {
	const [h, w, channels] = requireImage(layer, flow);
	const [kh, kw] = pair(layer.config.kernel_size);
	const strides = pair(layer.config.strides ?? 1);
	const dilations = pair(layer.config.dilation_rate ?? 1);
	const filters = Number(layer.config.filters);
	const kernel = g.weight(layer, 'kernel', [kh, kw, channels, filters]);
	const { out, pads } = spatial(layer, [h, w], [kh, kw], strides, dilations);
	const args = [
		flow.name,
		g.constant(
			`${layer.name}/kernel`,
			[filters, channels, kh, kw],
			toOihw(kernel.values, kh, kw, channels, filters)
		)
	];
	if (layer.config.use_bias !== false) {
		const bias = g.weight(layer, 'bias', [filters]);
		args.push(g.constant(`${layer.name}/bias`, bias.shape, bias.values));
	}
	const name = g.add(layer, 'Conv', args, { kernel_shape: [kh, kw], strides, dilations, pads });
	return activation(g, layer, { name, layout: 'nchw', shape: [...out, filters] }, layer.config.activation);
}

/** TF's conv kernel [kh, kw, in, out] → ONNX's [out, in, kh, kw]. */
function toOihw(src: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
	const dst = new Float32Array(src.length);
	for (let y = 0; y < kh; y++)
		for (let x = 0; x < kw; x++)
			for (let i = 0; i < cin; i++)
				for (let o = 0; o < cout; o++)
					dst[((o * cin + i) * kh + y) * kw + x] = src[((y * kw + x) * cin + i) * cout + o];
	return dst;
}

export function maxPooling2d(g: Graph, layer: TfLayer, flow: Flow): Flow {
	const [h, w, channels] = requireImage(layer, flow);
	const size = pair(layer.config.pool_size ?? 2);
	// TF.js defaults the strides to the pool size.
	const strides = pair(layer.config.strides ?? size);
	const { out, pads } = spatial(layer, [h, w], size, strides, [1, 1]);
	const name = g.add(layer, 'MaxPool', [flow.name], { kernel_shape: size, strides, pads });
	return { name, layout: 'nchw', shape: [...out, channels] };
}

export function flatten(g: Graph, layer: TfLayer, flow: Flow): Flow {
	if (flow.layout === 'rows') return flow;
	const nhwc = g.add(layer, 'Transpose', [flow.name], { perm: [0, 2, 3, 1] });
	const size = flow.shape.reduce((p, d) => p * d, 1);
	return { name: g.add(layer, 'Flatten', [nhwc], { axis: 1 }), layout: 'rows', shape: [size] };
}
