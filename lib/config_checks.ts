/**
 * The checks every config section shares (the run config, the method's stage sections, the
 * trainer's and the evaluator's options), so that any bad key reads the same way:
 *
 *     Cannot use config key 'train.beta' (--config x.json) as it must be a number > 0:
 *     current value is -1
 */

/** Where a value came from: "defaults", "--config x.json", "--beta". */
export type Where = string;

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** `Cannot use config key 'k' (where) as it must be <want>: current value is <v>`. */
export function badKey(key: string, where: Where, want: string, v: unknown): TypeError {
  return new TypeError(
    `Cannot use config key '${key}' (${where}) as it must be ${want}: current value is ${show(v)}`,
  );
}

/** `Cannot use config key 'k' (where) as it is not a known key: known keys are ...`. */
export function unknownKey(key: string, where: Where, known: readonly string[]): TypeError {
  return new TypeError(
    `Cannot use config key '${key}' (${where}) as it is not a known key: known keys are ${
      known.join(", ")
    }`,
  );
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A non-empty string. */
export function str(key: string, v: unknown, where: Where, want = "a non-empty string"): string {
  if (typeof v !== "string" || v === "") throw badKey(key, where, want, v);
  return v;
}

/** A safe integer >= `min`. */
export function int(key: string, v: unknown, where: Where, min: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min) {
    throw badKey(key, where, `an integer >= ${min}`, v);
  }
  return v as number;
}

/** A finite number accepted by `ok`; `want` describes what `ok` accepts. */
export function finite(
  key: string,
  v: unknown,
  where: Where,
  ok: (x: number) => boolean,
  want: string,
): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw badKey(key, where, want, v);
  return v;
}

/** One of `allowed`. */
export function oneOf<T extends string>(
  key: string,
  v: unknown,
  where: Where,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly unknown[]).includes(v)) {
    throw badKey(key, where, `one of ${allowed.map((a) => `'${a}'`).join(", ")}`, v);
  }
  return v as T;
}
