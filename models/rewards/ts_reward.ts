/**
 * Plain TypeScript reward functions as `RewardModel`s: a per-item function
 * (`new TsReward(name, (image, prompt) => number)`) or a batch function
 * (`TsReward.batch(name, (images, prompts) => numbers)`).
 */
import type { RewardModel, RgbImage } from "./reward_model.ts";

export type RewardFn = (image: RgbImage, prompt: string) => number | Promise<number>;
export type BatchRewardFn = (
  images: readonly RgbImage[],
  prompts: readonly string[],
) => ArrayLike<number> | Promise<ArrayLike<number>>;

export class TsReward implements RewardModel {
  readonly name: string;
  #fn: BatchRewardFn;

  constructor(name: string, fn: RewardFn) {
    this.name = name;
    this.#fn = (images, prompts) => Promise.all(images.map((img, i) => fn(img, prompts[i]!)));
  }

  /** A reward computed a whole batch at a time. */
  static batch(name: string, fn: BatchRewardFn): TsReward {
    const r = new TsReward(name, () => 0);
    r.#fn = fn;
    return r;
  }

  async score(images: readonly RgbImage[], prompts: readonly string[]): Promise<Float64Array> {
    return Float64Array.from(await this.#fn(images, prompts));
  }
}
