/**
 * AdamW (Loshchilov & Hutter) over named tfjs Variables, with global-norm gradient clipping.
 * Its moments are plain named tensors so a checkpoint can save and restore them exactly.
 *
 * Notation: g gradient, m/v first/second moments, k the 1-based update count,
 * m_hat = m / (1 - beta1^k), v_hat = v / (1 - beta2^k),
 * p <- p - lr * (m_hat / (sqrt(v_hat) + eps) + wd * p)   (decay only where the spec says so).
 */
import * as tf from "@tensorflow/tfjs";

export interface AdamWOptions {
  /** @default {0.9} */
  beta1?: number;
  /** @default {0.999} */
  beta2?: number;
  /** @default {1e-8} */
  eps?: number;
  /** Decoupled weight decay. @default {0} */
  weightDecay?: number;
  /** Clip the global gradient norm to this (0 = off). @default {0} */
  clipNorm?: number;
}

export class AdamW {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Updates applied so far (k of the last update). */
  count = 0;
  #params: ReadonlyMap<string, tf.Variable>;
  #decay: ReadonlySet<string>;
  #o: Required<AdamWOptions>;

  constructor(
    params: ReadonlyMap<string, tf.Variable>,
    decay: ReadonlySet<string>,
    opts: AdamWOptions = {},
  ) {
    this.#params = params;
    this.#decay = decay;
    this.#o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0, ...opts };
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Apply one update from `grads` (keyed like the params); returns the pre-clip grad norm. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): number {
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.#o;
    this.count += 1;
    const k = this.count;
    const norm = tf.tidy(() =>
      tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0]!
    );
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    const c1 = 1 - beta1 ** k;
    const c2 = 1 - beta2 ** k;
    tf.tidy(() => {
      for (const [name, p] of this.#params) {
        const g0 = grads.get(name);
        if (!g0) throw new RangeError(`Cannot apply AdamW update as gradient '${name}' is missing`);
        const g = scale === 1 ? g0 : tf.mul(g0, scale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        let upd = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        if (weightDecay > 0 && this.#decay.has(name)) upd = tf.add(upd, tf.mul(p, weightDecay));
        p.assign(tf.sub(p, tf.mul(upd, lr)));
      }
    });
    return norm;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
