/**
 * The closed set of preference losses (stages/train/losses.ts implements them), apart from the tfjs
 * code so that config validation does not load tfjs.
 */
export const LOSS_KINDS = ["capo", "dpo", "ipo"] as const;
export type LossKind = typeof LOSS_KINDS[number];

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
