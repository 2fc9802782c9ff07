// Conv2D training on TF.js's wasm backend (4.22) in Node. It has no Conv2DBackpropFilter kernel, so a Conv2D layer
// cannot be trained there at all, and its Conv2DBackpropInput is a plain loop (~3× the forward conv). Both are
// registered here from kernels it runs fast (XNNPACK conv and matMul), for stride 1, NHWC, no dilation:
//   dW = im2col(x)ᵀ · dy   (pad, kh·kw slices, one matMul), reshaped to [kh, kw, cin, cout];
//   dx = conv2d(dy, W flipped in space with in/out channels swapped), padded to 'full' minus the forward padding.
// Anything else (strides, dilations) throws for the filter and falls back to the original kernel for the input.
// Checked against the CPU backend's gradients (bench/fed-sim/README: `node bench/fed-sim/check-conv-grad.mjs`).
import * as tf from '@tensorflow/tfjs-core';

const ones = (v) => [v].flat().every((d) => d === undefined || d === 1);

/** [top, bottom, left, right] padding the forward conv applied. */
function forwardPad(pad, kh, kw) {
	if (pad === 'valid') return [0, 0, 0, 0];
	if (pad === 'same') {
		const top = Math.floor((kh - 1) / 2);
		const left = Math.floor((kw - 1) / 2);
		return [top, kh - 1 - top, left, kw - 1 - left];
	}
	return null;
}

/** Copies a tensor into a fresh output of the backend (the engine owns it), then frees the tensor. */
function output(backend, t) {
	const out = backend.makeOutput(t.shape, 'float32');
	backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(t));
	t.dispose();
	return out;
}

export function registerWasmConvGrads() {
	if (tf.getKernel('Conv2DBackpropFilter', 'wasm')?.fedSim) return;
	if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
	tf.registerKernel({
		kernelName: 'Conv2DBackpropFilter',
		backendName: 'wasm',
		fedSim: true,
		kernelFunc: ({ inputs, attrs, backend }) => {
			const { strides, pad, dataFormat, filterShape, dilations } = attrs;
			const [kh, kw, cin, cout] = filterShape;
			const p = forwardPad(pad, kh, kw);
			if (!ones(strides) || !ones(dilations) || (dataFormat && dataFormat !== 'NHWC') || !p)
				throw new Error('fed-sim Conv2DBackpropFilter: stride 1, NHWC, same/valid padding only');
			const result = tf.tidy(() => {
				const x = tf.engine().makeTensorFromTensorInfo(inputs.x);
				const dy = tf.engine().makeTensorFromTensorInfo(inputs.dy);
				const [b, oh, ow] = dy.shape;
				const padded = tf.pad(x, [
					[0, 0],
					[p[0], p[1]],
					[p[2], p[3]],
					[0, 0]
				]);
				const cols = [];
				for (let i = 0; i < kh; i++)
					for (let j = 0; j < kw; j++) cols.push(tf.slice(padded, [0, i, j, 0], [b, oh, ow, cin]));
				// [kh·kw·cin, b·oh·ow]: an explicit transpose and a plain matMul are ~4× faster here than matMul(transposeA).
				const patchesT = tf.transpose(tf.reshape(tf.concat(cols, 3), [b * oh * ow, kh * kw * cin]));
				return tf.reshape(tf.matMul(patchesT, tf.reshape(dy, [b * oh * ow, cout])), [kh, kw, cin, cout]);
			});
			return output(backend, result);
		}
	});

	const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
	if (!original || original.fedSim) return;
	tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
	tf.registerKernel({
		kernelName: 'Conv2DBackpropInput',
		backendName: 'wasm',
		fedSim: true,
		setupFunc: original.setupFunc,
		disposeFunc: original.disposeFunc,
		kernelFunc: (args) => {
			const { inputs, attrs, backend } = args;
			const { strides, pad, dataFormat, dilations, inputShape } = attrs;
			const [kh, kw] = inputs.filter.shape;
			const p = forwardPad(pad, kh, kw);
			if (!ones(strides) || !ones(dilations) || (dataFormat && dataFormat !== 'NHWC') || !p)
				return original.kernelFunc(args);
			const result = tf.tidy(() => {
				const dy = tf.engine().makeTensorFromTensorInfo(inputs.dy);
				const w = tf.engine().makeTensorFromTensorInfo(inputs.filter);
				const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
				const full = tf.pad(dy, [
					[0, 0],
					[kh - 1 - p[0], kh - 1 - p[1]],
					[kw - 1 - p[2], kw - 1 - p[3]],
					[0, 0]
				]);
				const dx = tf.conv2d(full, flipped, 1, 'valid');
				if (dx.shape.some((d, i) => d !== inputShape[i]))
					throw new Error('fed-sim Conv2DBackpropInput: shape');
				return dx;
			});
			return output(backend, result);
		}
	});
}
