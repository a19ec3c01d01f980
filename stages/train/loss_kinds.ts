/**
 * The closed set of preference losses (stages/train/losses.ts implements them), apart from the tfjs
 * code so that config validation does not load tfjs.
 *
 * capo, dpo, ipo are the paper's (and its baselines'); capo_unbiased and ipo_unbiased are this
 * project's addition (docs/method.md §5.2): the product (dR¹ - c)(dR² - c) of two independent
 * estimates of the gap, whose expectation is (E[dR] - c)^2 without the variance term.
 */
export const LOSS_KINDS = ["capo", "dpo", "ipo", "capo_unbiased", "ipo_unbiased"] as const;
export type LossKind = typeof LOSS_KINDS[number];

/** The paper's kinds (one estimate of the gap per pair). */
export const PAPER_LOSS_KINDS = ["capo", "dpo", "ipo"] as const satisfies readonly LossKind[];

/** Independent estimates of the gap a kind needs per pair: 2 for the unbiased products, else 1.
 *  Each estimate averages `train.draws_per_pair` draws of (t, eps). */
export function gapEstimates(kind: LossKind): 1 | 2 {
  return kind === "capo_unbiased" || kind === "ipo_unbiased" ? 2 : 1;
}

/**
 * The regression target c of a squared kind for a pair with calibrated gap `dRca`: dR_ca for the
 * CaPO kinds, 1 for the IPO kinds; null for DPO (not a regression).
 */
export function lossTarget(kind: LossKind, dRca: number): number | null {
  switch (kind) {
    case "capo":
    case "capo_unbiased":
      return dRca;
    case "ipo":
    case "ipo_unbiased":
      return 1;
    case "dpo":
      return null;
  }
}

/** Throws unless `kind` is one of LOSS_KINDS, listing them. */
export function checkLossKind(kind: unknown, where = "loss"): LossKind {
  if (!(LOSS_KINDS as readonly unknown[]).includes(kind)) {
    throw new TypeError(
      `Cannot use ${where} as it must be one of ${
        LOSS_KINDS.map((k) => `'${k}'`).join(", ")
      }: current value is ${JSON.stringify(kind) ?? String(kind)}`,
    );
  }
  return kind as LossKind;
}
