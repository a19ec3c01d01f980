/**
 * AdamW (Loshchilov & Hutter) with global-norm clipping, and the EMA of the weights, as plain
 * loops over one flat parameter buffer (models/flat_params.ts): one pass per step over all
 * ~0.9M values instead of thousands of small per-tensor kernels.
 *
 * Notation: g gradient, m/v first/second moments, k the 1-based update count,
 * m_hat = m / (1 - beta1^k), v_hat = v / (1 - beta2^k),
 * p <- p - lr * (m_hat / (sqrt(v_hat) + eps) + wd * p)   (decay only where the mask is 1).
 * Clipping: g <- g * min(1, clip / ||g||) with ||g|| the norm over every parameter.
 * Moments are Float32Arrays, as the checkpoints store them; the arithmetic of one element runs
 * in float64 and is rounded once when stored.
 */

export interface FlatAdamWOptions {
  /** @default {0.9} */
  beta1?: number;
  /** @default {0.999} */
  beta2?: number;
  /** @default {1e-8} */
  eps?: number;
  /** Decoupled weight decay, applied where the decay mask is 1. @default {0} */
  weightDecay?: number;
  /** Clip the global gradient norm to this (0 = off). @default {0} */
  clipNorm?: number;
}

/** ||g||_2 over the whole buffer (NaN or Infinity when some value is not finite). */
export function globalNorm(g: Float32Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

export class FlatAdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Updates applied so far (k of the last update). */
  count = 0;
  #decay: Uint8Array;
  #o: Required<FlatAdamWOptions>;

  constructor(decayMask: Uint8Array, opts: FlatAdamWOptions = {}) {
    this.#decay = decayMask;
    this.m = new Float32Array(decayMask.length);
    this.v = new Float32Array(decayMask.length);
    this.#o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0, ...opts };
  }

  /**
   * Apply one update to `params` in place from `grad` whose global norm is `norm` (pass
   * globalNorm(grad); the caller checks it is finite first); returns `norm`.
   */
  apply(params: Float32Array, grad: Float32Array, lr: number, norm = globalNorm(grad)): number {
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.#o;
    const n = params.length;
    if (grad.length !== n || this.m.length !== n) {
      throw new RangeError(
        `Cannot apply AdamW as params, grad and moments must have the same length: current ` +
          `lengths are ${n}, ${grad.length} and ${this.m.length}`,
      );
    }
    this.count += 1;
    const k = this.count;
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    const c1 = 1 - beta1 ** k;
    const c2 = 1 - beta2 ** k;
    const m = this.m, v = this.v, decay = this.#decay;
    const nb1 = 1 - beta1, nb2 = 1 - beta2, ic1 = 1 / c1, ic2 = 1 / c2, wd = weightDecay;
    for (let i = 0; i < n; i++) {
      const g = grad[i]! * scale;
      // Rounded to float32 as stored, so the update reads exactly the moments a checkpoint keeps.
      const mi = Math.fround(beta1 * m[i]! + nb1 * g);
      const vi = Math.fround(beta2 * v[i]! + nb2 * g * g);
      m[i] = mi;
      v[i] = vi;
      const p = params[i]!;
      const upd = (mi * ic1) / (Math.sqrt(vi * ic2) + eps) + (decay[i] === 1 ? wd * p : 0);
      params[i] = p - lr * upd;
    }
    return norm;
  }
}

/** ema <- d * ema + (1 - d) * params, in place. */
export function emaUpdate(ema: Float32Array, params: Float32Array, d: number): void {
  for (let i = 0; i < ema.length; i++) ema[i] = d * ema[i]! + (1 - d) * params[i]!;
}
