/** Per-reward column names shared by the Scored, Calibrated and Pair schemas. */
import { f, type FieldDef } from "./field.ts";

const NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** Throws unless every reward name is a lowercase identifier and names are unique. */
export function checkRewardNames(rewards: readonly string[]): void {
  if (rewards.length === 0) {
    throw new RangeError("Cannot build a schema with no rewards: at least one reward is required");
  }
  const seen = new Set<string>();
  for (const r of rewards) {
    if (!NAME.test(r)) {
      throw new TypeError(
        `Cannot use reward name '${r}' as it must match ${NAME} (lowercase letters, digits, _)`,
      );
    }
    if (seen.has(r)) throw new TypeError(`Cannot use reward name '${r}' twice`);
    seen.add(r);
  }
}

/** `{ [prefix + reward]: float64 }` for each reward. */
export function rewardFields(
  prefix: string,
  rewards: readonly string[],
  doc: string,
): Record<string, FieldDef<"float64">> {
  checkRewardNames(rewards);
  return Object.fromEntries(rewards.map((r) => [`${prefix}${r}`, f("float64", `${doc}: ${r}`)]));
}
