/**
 * The implicit reward gap of a batch of pairs (docs/method.md §5.1), the quantity every loss kind
 * reads.
 *
 * Notation: B pairs, rows 0..B-1 are the winners x+, rows B..2B-1 the losers x- (row B + j is
 * the loser of pair j, noised with the same t and eps as winner j).
 *   err_m(x)  = mean over the S*S*C pixel values of (target - model_m(x_t, c, t))^2
 *   h(x)      = -(err_theta(x) - err_ref(x))
 *   dR_theta  = beta * w(t) * (h(x+) - h(x-))
 *
 * Mean, not sum, over pixels, as Diffusion-DPO's code (`.mean(dim=[1,2,3])`). The scale this
 * implies for beta: Diffusion-DPO writes `inside = -0.5 * beta_dpo * (model_diff - ref_diff)`,
 * and -(model_diff - ref_diff) = h(x+) - h(x-), so our beta = 0.5 * beta_dpo (their 5000 is our
 * 2500); with a sum over pixels the same model would need beta / (S*S*C).
 */
import * as tf from "@tensorflow/tfjs";

/** err per image: pred, target [N, S, S, C] -> [N], mean over pixel values. */
export function denoisingError(pred: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.mean(tf.squaredDifference(pred, target), [1, 2, 3]);
}

/** The same as `denoisingError` on flat arrays (the reference's ORT output): N images of V. */
export function denoisingErrorValues(
  pred: Float32Array,
  target: Float32Array,
  n: number,
): Float64Array {
  const V = pred.length / n;
  if (!Number.isInteger(V) || target.length !== pred.length) {
    throw new RangeError(
      `Cannot compute the denoising error of ${n} images as prediction and target must both ` +
        `hold n * V values: current lengths are ${pred.length} and ${target.length}`,
    );
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j * V; i < (j + 1) * V; i++) s += (pred[i]! - target[i]!) ** 2;
    out[j] = s / V;
  }
  return out;
}

/**
 * dR_theta [B] from err_theta [2B] (a tensor carrying gradients), err_ref [2B] and w [B]
 * (constants), winners first.
 */
export function implicitRewardGap(
  errTheta: tf.Tensor,
  errRef: tf.Tensor,
  w: tf.Tensor,
  beta: number,
): tf.Tensor {
  const B = w.shape[0]!;
  if (errTheta.shape[0] !== 2 * B || errRef.shape[0] !== 2 * B) {
    throw new RangeError(
      `Cannot compute the implicit reward gap of ${B} pairs as err_theta and err_ref must have ` +
        `${2 * B} rows (winners, then losers): current shapes are [${errTheta.shape}] and ` +
        `[${errRef.shape}]`,
    );
  }
  // 1. h(x) = -(err_theta - err_ref) = err_ref - err_theta        [2B]
  const h = tf.sub(errRef, errTheta);
  // 2. h(x+) - h(x-)                                                [B]
  const [hPlus, hMinus] = tf.split(h, 2);
  // 3. dR_theta = beta * w(t) * (h(x+) - h(x-))                     [B]
  return tf.mul(tf.mul(w, beta), tf.sub(hPlus!, hMinus!));
}

/**
 * The gap estimates of a batch whose pairs were noised with D = G * K independent draws of (t, eps)
 * (stages/train/pair_noise.ts `noiseDraws`): rows of draw d are [d 2B, (d + 1) 2B), winners first,
 * w [D B]. Estimate g (of G) is the mean of dR_theta over draws gK .. gK + K - 1. With D = 1 this
 * is exactly `implicitRewardGap`.
 */
export function implicitRewardGaps(
  errTheta: tf.Tensor,
  errRef: tf.Tensor,
  w: tf.Tensor,
  beta: number,
  draws: number,
  estimates: number,
): tf.Tensor[] {
  const D = draws * estimates;
  if (D === 1) return [implicitRewardGap(errTheta, errRef, w, beta)];
  const errs = tf.split(errTheta, D), refs = tf.split(errRef, D), ws = tf.split(w, D);
  const per = errs.map((e, d) => implicitRewardGap(e, refs[d]!, ws[d]!, beta));
  return Array.from({ length: estimates }, (_, g) => {
    const mine = per.slice(g * draws, (g + 1) * draws);
    return draws === 1 ? mine[0]! : tf.div(tf.addN(mine), draws);
  });
}
