/**
 * The reward model contract of the scorer (docs/method.md §2): a named function from a batch of
 * (image, prompt) to one finite score per item. Kinds: ONNX models described by a manifest
 * (onnx_reward.ts) and plain TypeScript functions (ts_reward.ts).
 */

/** A decoded image: RGB8 pixels, HWC row-major (`lib/png.ts`' DecodedPng fits). */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface RewardModel {
  /** The reward's name: the `reward_<name>` column; a lowercase identifier. */
  readonly name: string;
  /**
   * One score per item, `images[i]` generated for `prompts[i]`. The scorer checks the
   * length and that every score is finite, and names the model and sample when not.
   */
  score(images: readonly RgbImage[], prompts: readonly string[]): Promise<Float64Array>;
  /** Releases native resources (ONNX sessions). */
  close?(): Promise<void>;
}
