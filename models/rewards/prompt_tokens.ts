/**
 * Prompts -> the token input of an ONNX reward model, as its manifest says: optionally
 * lowercased, split on anything that is not a letter or digit, each word looked up in the
 * vocab (id = position; a missing word is `unk_id`), truncated to `max_len`, padded with
 * `pad_id`; a prompt with no words is `[empty_id, pad, ...]` when `empty_id` is set.
 *
 * With vocab = models/tokenizer.ts' `words`, pad 0, unk 1, empty 2 this is that tokenizer
 * on ASCII prompts (it splits on [^a-z0-9], this on non-letters/digits of any script), so
 * the diffusion model's and the reward models' token ids agree on ShapeWorld prompts.
 */
import type { PromptInputSpec } from "./reward_manifest.ts";

export class PromptTokens {
  #index = new Map<string, number>();
  readonly spec: PromptInputSpec;

  constructor(spec: PromptInputSpec) {
    this.spec = spec;
    // The first occurrence wins, as a lookup by position would.
    spec.vocab.forEach((w, i) => {
      if (!this.#index.has(w)) this.#index.set(w, i);
    });
  }

  /** [B, max_len] ids, row-major. */
  encode(prompts: readonly string[]): { data: BigInt64Array | Int32Array; dims: number[] } {
    const { max_len: L, pad_id, unk_id, empty_id, lowercase, dtype } = this.spec;
    const ids = new Int32Array(prompts.length * L).fill(pad_id);
    prompts.forEach((p, b) => {
      const words = (lowercase ? p.toLowerCase() : p).split(/[^\p{L}\p{N}]+/u).filter((w) =>
        w !== ""
      );
      if (words.length === 0 && empty_id !== null) ids[b * L] = empty_id;
      for (let i = 0; i < Math.min(L, words.length); i++) {
        ids[b * L + i] = this.#index.get(words[i]!) ?? unk_id;
      }
    });
    const data = dtype === "int64" ? BigInt64Array.from(ids, (v) => BigInt(v)) : ids;
    return { data, dims: [prompts.length, L] };
  }
}
