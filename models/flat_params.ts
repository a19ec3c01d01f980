/**
 * One flat Float32Array for a whole weight set, laid out in spec order: the training graph
 * takes the weights as this one input and returns their gradient in the same layout, and the
 * optimiser and the EMA run as single loops over it (models/flat_adamw.ts) instead of one small
 * kernel per tensor. Checkpoints and model files keep named tensors; `pack` and `unpack`
 * convert at those edges only.
 */
import { type ParamSpec, sizeOf } from "./nn/params.ts";

export class ParamLayout {
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  /** offsets[i] is where tensor i starts; offsets[n] = size. */
  readonly offsets: readonly number[];
  readonly size: number;

  constructor(specs: readonly ParamSpec[]) {
    this.names = specs.map((s) => s.name);
    this.shapes = specs.map((s) => [...s.shape]);
    const offsets = [0];
    for (const s of specs) offsets.push(offsets[offsets.length - 1]! + sizeOf(s.shape));
    this.offsets = offsets;
    this.size = offsets[offsets.length - 1]!;
  }

  /** Named tensors -> one flat buffer (a missing or mis-sized tensor is named). */
  pack(values: ReadonlyMap<string, Float32Array>): Float32Array {
    const out = new Float32Array(this.size);
    this.names.forEach((name, i) => {
      const v = values.get(name);
      const n = this.offsets[i + 1]! - this.offsets[i]!;
      if (!v || v.length !== n) {
        throw new RangeError(
          `Cannot pack weights as '${name}' must have ${n} values: current value is ${
            v ? v.length : "missing"
          }`,
        );
      }
      out.set(v, this.offsets[i]!);
    });
    return out;
  }

  /** One flat buffer -> named tensors (copies). */
  unpack(flat: Float32Array): Map<string, Float32Array> {
    return new Map(
      this.names.map((name, i) => [name, flat.slice(this.offsets[i]!, this.offsets[i + 1]!)]),
    );
  }

  /** The name of the tensor holding flat index `index`. */
  nameAt(index: number): string {
    let lo = 0, hi = this.names.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.names[lo]!;
  }

  /** 1 where AdamW applies weight decay (the specs' `decay`), else 0. */
  static decayMask(specs: readonly ParamSpec[]): Uint8Array {
    const layout = new ParamLayout(specs);
    const mask = new Uint8Array(layout.size);
    specs.forEach((s, i) => {
      if (s.decay) mask.fill(1, layout.offsets[i]!, layout.offsets[i + 1]!);
    });
    return mask;
  }
}
