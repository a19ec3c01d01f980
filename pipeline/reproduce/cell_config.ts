/**
 * A cell's `capo run` config: the default run's config (pipeline/config.ts DEFAULTS), a size
 * preset over it, then the base model and the cell's select method and loss. Built with
 * `mergeConfig`, so every value is validated as a `--config` file would be, and the saved
 * config.json reruns the cell alone with `deno task run --config <it>`.
 *
 * Every cell of a base shares the prompts, generate and score sections (only select and train
 * differ), so their stage hashes are equal and one generate + score serves all of them.
 */
import { DEFAULTS, mergeConfig, type RunConfig } from "../config.ts";
import type { Cell } from "./cells.ts";

export const SIZES = ["default", "small"] as const;
export type Size = typeof SIZES[number];

/**
 * Overrides of the default run per size. 'default' is the default run's sizes (256 prompts x
 * N 16, 2 epochs, 96 eval prompts x 2 seeds). 'small' checks the machinery end to end in
 * about a minute per cell on 2 busy cores: 32 prompts x N 8 (256 images to generate once per
 * base), at most 32 pairs = 4 training steps per cell, 16 eval prompts x 1 seed (32 images
 * per cell). The trainer's own settings are the default run's, so 'small' exercises the same
 * training code and options; at 4 steps the models barely leave the base, so its win-rates
 * are near 50% by construction and only 'default' is a result.
 */
export const SIZE_PRESETS: Record<Size, Record<string, unknown>> = {
  default: {},
  small: {
    prompts: { limit: 32 },
    generate: { n: 8 },
    evaluate: { max_prompts: 16, seeds_per_prompt: 1 },
  },
};

/** The shared part of every cell of a base: defaults, size, base model, where runs go. */
export function baseConfig(size: Size, model: string, runsDir: string): RunConfig {
  let cfg = mergeConfig(DEFAULTS, SIZE_PRESETS[size], `size preset '${size}'`);
  cfg = mergeConfig(cfg, {
    name: "upstream",
    runs_dir: runsDir,
    generate: { model },
    train: { model },
  }, "reproduce");
  return cfg;
}

/** The config of a 'run' cell; soups have no run config (they train nothing). */
export function cellConfig(base: RunConfig, cell: Cell): RunConfig {
  if (cell.kind !== "run") {
    throw new TypeError(
      `Cannot make a run config for cell '${cell.name}' as it is a ${cell.kind} cell`,
    );
  }
  return mergeConfig(base, {
    name: cell.name,
    select: { method: cell.select.method, reward: cell.select.reward },
    train: { loss: cell.loss },
  }, `cell ${cell.name}`);
}
