/**
 * `--<name>`'s value as a positive number, or undefined when the flag was not given; any other
 * value is a RangeError naming the flag (capo pretrain's numeric flags, in every mode).
 */
export function positiveFlag<K extends string>(
  flags: Readonly<Partial<Record<K, string>>>,
  name: K,
): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new RangeError(`Cannot parse --${name} as a positive number: current value is ${v}`);
  }
  return n;
}
