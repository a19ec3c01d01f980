/**
 * Axis ticks at "nice" steps (1, 2 or 5 times a power of ten) and their labels, as plotting
 * libraries choose them, so tick labels stay short and readable.
 */

export interface Ticks {
  /** Tick positions, ascending, all within [min, max]. */
  values: number[];
  /** The spacing between ticks. */
  step: number;
  /** The axis range widened to whole steps (when asked). */
  min: number;
  max: number;
}

/**
 * About `target` ticks over [min, max]. With `expand` the range grows to the enclosing whole
 * steps. A degenerate range (min == max) is widened by one unit (or 10%) around the value.
 * `minStep` bounds the spacing from below (1 for integer axes such as training steps).
 */
export function niceTicks(
  min: number,
  max: number,
  target = 5,
  expand = false,
  minStep = 0,
): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(
      `Cannot place ticks as the range must be finite with min <= max: current value is [${min}, ${max}]`,
    );
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const step = Math.max(nice, minStep);
  const lo = expand ? Math.floor(min / step + 1e-9) * step : min;
  const hi = expand ? Math.ceil(max / step - 1e-9) * step : max;
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    values.push(Number((k * step).toPrecision(12)));
  }
  return { values, step, min: lo, max: hi };
}

/** A tick label with as many decimals as the step needs ("0.25", "1e-05", "1200"). */
export function formatTick(v: number, step: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    return v.toExponential(Math.max(
      0,
      Math.min(
        3,
        -Math.floor(Math.log10(step)) +
          Math.floor(Math.log10(a)),
      ),
    )).replace(/\.?0+e/, "e").replace("e+", "e");
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(decimals);
}
