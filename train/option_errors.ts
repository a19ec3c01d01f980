/**
 * The errors of config-section validation, worded as pipeline/config.ts words them, so a bad
 * `train.*` or `evaluate.*` key reads like any other bad run-config key.
 */
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** `Cannot use config key 'k' (where) as it must be <want>: current value is <v>`. */
export function badKey(key: string, where: string, want: string, v: unknown): TypeError {
  return new TypeError(
    `Cannot use config key '${key}' (${where}) as it must be ${want}: current value is ${show(v)}`,
  );
}

/** `Cannot use config key 'k' (where) as it is not a known key: known keys are ...`. */
export function unknownKey(key: string, where: string, known: readonly string[]): TypeError {
  return new TypeError(
    `Cannot use config key '${key}' (${where}) as it is not a known key: known keys are ${
      known.join(", ")
    }`,
  );
}
