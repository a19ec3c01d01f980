/**
 * The stop for a diverged step: a gradient with a NaN or an infinity must not reach the
 * weights, the moments or the EMA. The trainers check before updating anything, so the state
 * (and the last checkpoint on disk) is the one from before the bad step.
 */
import type { ParamLayout } from "./flat_params.ts";

export class NonFiniteGradientError extends RangeError {
  readonly step: number;
  readonly loss: number;
  /** The first parameter tensor (in spec order) whose gradient has a non-finite value. */
  readonly tensor: string;

  constructor(step: number, loss: number, tensor: string) {
    super(
      `Cannot continue training as the gradient is not finite at step ${step} (loss ${loss}): ` +
        `the first parameter tensor with a non-finite gradient is '${tensor}'; the weights ` +
        `and the last checkpoint are from before this step`,
    );
    this.name = "NonFiniteGradientError";
    this.step = step;
    this.loss = loss;
    this.tensor = tensor;
  }
}

/**
 * Throws NonFiniteGradientError for `step` (1-based, the step being computed) unless `norm`
 * (the gradient's global norm) and the loss are finite; finds the first offending tensor only
 * then.
 */
export function checkFiniteGradient(
  grad: Float32Array,
  norm: number,
  layout: ParamLayout,
  step: number,
  loss: number,
): void {
  if (Number.isFinite(norm) && Number.isFinite(loss)) return;
  let i = 0;
  while (i < grad.length && Number.isFinite(grad[i]!)) i++;
  // A non-finite loss, or an overflow of the sum of squares alone, still stops training.
  const tensor = i < grad.length ? layout.nameAt(i) : "(none: every gradient value is finite)";
  throw new NonFiniteGradientError(step, loss, tensor);
}
