/**
 * The preference losses on the implicit-reward gap of a pair (docs/method.md §5.2), a closed set of
 * kinds behind one switch. Adding a kind is one function and one case.
 *
 * Notation (per pair, x+ the winner, x- the loser, both noised with ONE t and ONE eps):
 *   err_m(x)  mean over pixels of (target - model_m(x_t, c, t))^2, m in {theta, ref}
 *   h(x)      = -(err_theta(x) - err_ref(x))           implicit reward at t
 *   dR_theta  = beta * w(t) * (h(x+) - h(x-))         (implicit_reward.ts)
 *   dR_ca     = Rca(x+) - Rca(x-) in (-1, 1)           (the Pair record's `delta`)
 *
 *   capo: L = (dR_theta - dR_ca)^2        regress the implicit gap onto the calibrated gap
 *   dpo:  L = -log sigmoid(dR_theta)      Diffusion-DPO (Wallace et al. 2024)
 *   ipo:  L = (dR_theta - 1)^2            IPO: CaPO with the constant target 1
 * This project's addition (docs/method.md §5.2), from two independent estimates dR¹, dR² of the gap:
 *   capo_unbiased: L = (dR¹ - dR_ca)(dR² - dR_ca)     E[L] = (E[dR] - dR_ca)^2
 *   ipo_unbiased:  L = (dR¹ - 1)(dR² - 1)             E[L] = (E[dR] - 1)^2
 * The batch loss is the mean of L over the pairs (the expectation over t, eps and pairs).
 */
import * as tf from "@tensorflow/tfjs";
import type { LossKind } from "./loss_kinds.ts";

export {
  checkLossKind,
  gapEstimates,
  LOSS_KINDS,
  type LossKind,
  PAPER_LOSS_KINDS,
} from "./loss_kinds.ts";

/** CaPO: (dR_theta - dR_ca)^2. */
const capo = (dR: tf.Tensor, dRca: tf.Tensor) => tf.squaredDifference(dR, dRca);

/** DPO: -log sigmoid(dR_theta) = softplus(-dR_theta), stable for large |dR_theta|. */
const dpo = (dR: tf.Tensor) => tf.softplus(tf.neg(dR));

/** IPO: (dR_theta - 1)^2. */
const ipo = (dR: tf.Tensor) => tf.square(tf.sub(dR, 1));

/** The unbiased product (dR¹ - c)(dR² - c) of two independent estimates. */
const product = (dR1: tf.Tensor, dR2: tf.Tensor, c: tf.Tensor | number) =>
  tf.mul(tf.sub(dR1, c), tf.sub(dR2, c));

/**
 * Per-pair loss [B] of kind `kind` from dR_theta [B] and dR_ca [B]; the unbiased kinds also need
 * the second, independent estimate `dR2` [B] (dR is then the first).
 */
export function pairLoss(
  kind: LossKind,
  dR: tf.Tensor,
  dRca: tf.Tensor,
  dR2?: tf.Tensor,
): tf.Tensor {
  const second = () => {
    if (dR2 === undefined) {
      throw new TypeError(
        `Cannot compute the ${kind} loss as it needs two independent estimates of the gap: ` +
          "the second is missing",
      );
    }
    return dR2;
  };
  switch (kind) {
    case "capo":
      return capo(dR, dRca);
    case "dpo":
      return dpo(dR);
    case "ipo":
      return ipo(dR);
    case "capo_unbiased":
      return product(dR, second(), dRca);
    case "ipo_unbiased":
      return product(dR, second(), 1);
  }
}
