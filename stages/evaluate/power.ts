/**
 * The smallest difference a paired comparison can detect (docs/method.md §6.5), from the variance
 * components of the crossed values x[p, s, t] (paired_bootstrap.ts: prompt p, A's training seed
 * s, B's seed t), estimated by the method of moments on the additive model
 *
 *   x[p, s, t] = mu + a_p + b_s + c_t + e[p, s, t]
 *   V_p = variance over p of the prompt means = sigma_a^2 + sigma_e^2 / (S T)   (likewise V_s, V_t)
 *   sigma_e^2 = sum of squared residuals of the additive fit / (P S T - P - S - T + 2)
 *
 * (a component estimated below 0 is 0; with S = T = 1 the residual cannot be told from the
 * prompt effect and is part of it). The mean over a design of P prompts, S and T seeds then has
 *
 *   SE^2 = sigma_a^2 / P + sigma_b^2 / S + sigma_c^2 / T + sigma_e^2 / (P S T)
 *
 * and a two-sided test at level alpha has power `power` against differences of at least
 *
 *   MDE = (z_{1 - alpha / 2} + z_{power}) SE        (normal approximation)
 *
 * With Holm over m tests the first rejection needs alpha / m, so alpha / m gives a conservative
 * MDE for the family. With 2 or 3 seeds the seed components are rough; they are reported so.
 */

export interface VarianceComponents {
  prompt: number;
  seedA: number;
  seedB: number;
  residual: number;
}

export interface Design {
  prompts: number;
  seedsA: number;
  seedsB: number;
}

const variance = (xs: ArrayLike<number>) => {
  const n = xs.length;
  if (n < 2) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i]! - m) ** 2;
  return v / (n - 1);
};

/** Components of x (row-major [P, S, T], as pairedBootstrap reads it). */
export function varianceComponents(x: ArrayLike<number>, d: Design): VarianceComponents {
  const { prompts: P, seedsA: S, seedsB: T } = d;
  if (x.length !== P * S * T || P < 2) {
    throw new RangeError(
      `Cannot estimate variance components of ${x.length} values as a design of ${P} prompts ` +
        `(at least 2) x ${S} x ${T} seeds`,
    );
  }
  const mp = new Float64Array(P), ms = new Float64Array(S), mt = new Float64Array(T);
  let grand = 0;
  for (let p = 0; p < P; p++) {
    for (let s = 0; s < S; s++) {
      for (let t = 0; t < T; t++) {
        const v = x[(p * S + s) * T + t]!;
        mp[p]! += v / (S * T);
        ms[s]! += v / (P * T);
        mt[t]! += v / (P * S);
        grand += v / (P * S * T);
      }
    }
  }
  const df = P * S * T - P - S - T + 2;
  let sse = 0;
  for (let p = 0; p < P; p++) {
    for (let s = 0; s < S; s++) {
      for (let t = 0; t < T; t++) {
        const r = x[(p * S + s) * T + t]! - mp[p]! - ms[s]! - mt[t]! + 2 * grand;
        sse += r * r;
      }
    }
  }
  const residual = df > 0 ? sse / df : 0;
  const pos = (v: number) => Math.max(0, v);
  return {
    prompt: pos(variance(mp) - residual / (S * T)),
    seedA: S > 1 ? pos(variance(ms) - residual / (P * T)) : 0,
    seedB: T > 1 ? pos(variance(mt) - residual / (P * S)) : 0,
    residual,
  };
}

/** The standard error of the mean over a design with these components. */
export function designSE(c: VarianceComponents, d: Design): number {
  return Math.sqrt(
    c.prompt / d.prompts + c.seedA / d.seedsA + c.seedB / d.seedsB +
      c.residual / (d.prompts * d.seedsA * d.seedsB),
  );
}

/**
 * The standard normal quantile, by Acklam's rational approximation (relative error below
 * 1.15e-9 on (0, 1)).
 */
export function normalQuantile(q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`Cannot take the normal quantile of ${q}`);
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (q < lo) {
    const r = Math.sqrt(-2 * Math.log(q));
    x = (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) /
      ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  } else if (q <= 1 - lo) {
    const u = q - 0.5, r = u * u;
    x = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * u /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const r = Math.sqrt(-2 * Math.log(1 - q));
    x = -(((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) /
      ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  }
  return x;
}

/** The smallest true difference a two-sided level-alpha test detects with probability `power`. */
export function minimumDetectable(se: number, alpha: number, power = 0.8): number {
  return (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * se;
}
