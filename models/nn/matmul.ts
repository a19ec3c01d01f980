/**
 * Matrix products with gradients that tfjs-wasm computes fast.
 *
 * tfjs' built-in matMul gradient calls matMul with transposeA/transposeB, which the wasm
 * backend runs ~10x slower than a plain product (measured: 89-110 ms vs 9-12 ms for
 * [3072,288]x[288,96]). These ops materialise the transposes instead, and take a bias
 * gradient as ones x dy (0.3 ms) rather than a column sum (7.8 ms). Values are identical to
 * tf.matMul; only the backward pass differs in speed.
 */
import * as tf from "@tensorflow/tfjs";

/** Swap the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/** a [..., M, K] x b [..., K, N] -> [..., M, N] (same batch dims, or b rank 2 with a rank 2). */
export const matMul: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
        return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x [M, K] W [K, N] + b [N] -> [M, N]. */
export const affine: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(
  ((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor, tf.Tensor];
        const ones = tf.ones([1, dy.shape[0]!]);
        return [
          tf.matMul(dy, tf.transpose(sw)),
          tf.matMul(tf.transpose(sx), dy),
          tf.matMul(ones, dy).reshape([dy.shape[1]!]),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
