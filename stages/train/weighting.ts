/**
 * The timestep weighting w(t) of the implicit reward gap (docs/method.md §5.3), a closed set of
 * kinds.
 *
 * Notation: lambda_t the log-SNR at t (models/schedule.ts: DDPM log(abar / (1 - abar)),
 * flow 2 log((1 - t) / t)), b a shift.
 *   constant: w = 1                          (Diffusion-DPO)
 *   sigmoid:  w = sigmoid(-lambda_t + b)     (Kingma & Gao 2023's sigmoid weighting; CaPO
 *                                             reports b = 1.5 best, unconfirmed)
 * The sigmoid kind gives noisy timesteps (lambda << 0) weight ~1 and nearly clean ones
 * (lambda >> b) weight ~0, where the two images' errors barely differ anyway.
 */
export const WEIGHTINGS = ["constant", "sigmoid"] as const;
export type Weighting = typeof WEIGHTINGS[number];

/** w(t) for a timestep of log-SNR `lambda`. */
export function timeWeight(kind: Weighting, lambda: number, b: number): number {
  switch (kind) {
    case "constant":
      return 1;
    case "sigmoid":
      return 1 / (1 + Math.exp(lambda - b));
  }
}
