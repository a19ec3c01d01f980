/**
 * A cell's `capo run` config: the default run's config (pipeline/config.ts DEFAULTS), a size
 * preset over it, then the base model and the cell's select method and loss. Built with
 * `mergeConfig`, so every value is validated as a `--config` file would be, and the saved
 * config.json reruns the cell alone with `deno task run --config <it>`.
 *
 * Every cell of a base shares the prompts, generate and score sections (only select and train
 * differ), so their stage hashes are equal and one generate + score serves all of them.
 */
import { type ConfigPatch, DEFAULTS, mergeConfig, type RunConfig } from "../config.ts";
import type { Cell } from "./cells.ts";

export const SIZES = ["default", "small"] as const;
export type Size = typeof SIZES[number];

/**
 * Overrides of the default run per size. 'default' is the default run's sizes (256 prompts x
 * N 16, 32 steps of 64 FRS pairs, 96 eval prompts x 2 seeds). 'small' checks the machinery end to end in
 * about a minute per cell on 2 busy cores: 32 prompts x N 8 (256 images to generate once per
 * base), at most 32 pairs = 4 training steps per cell, 16 eval prompts x 1 seed (32 images
 * per cell). The trainer's own settings are the default run's, so 'small' exercises the same
 * training code and options; at 4 steps the models barely leave the base, so its win-rates
 * are near 50% by construction and only 'default' is a result.
 */
export const SIZE_PRESETS: Record<Size, ConfigPatch> = {
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

/**
 * The directory (and run) name of a cell's training seed: the cell's name for seed 0, so a cell
 * trained once is where it always was, `<name>-seed<s>` for the others.
 */
export function seedName(name: string, seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `Cannot name seed ${seed} of cell '${name}' as it must be an integer >= 0`,
    );
  }
  return seed === 0 ? name : `${name}-seed${seed}`;
}

/**
 * The config of a 'run' cell with training seed `seed`; soups have no run config (they train
 * nothing). The training seed offsets both `select.seed` (FRS's pair draws) and `train.seed`
 * (data order, timesteps and noise); seed 0 leaves them as the base config has them, so a cell
 * trained once keeps its config (and its identity). The samples (generate, score) are shared
 * by every seed: the base model's draws are the data, not the training. `trainer` is the cell's
 * tuned train settings from a frozen plan (repro_plan.ts), if any.
 */
export function cellConfig(
  base: RunConfig,
  cell: Cell,
  seed = 0,
  trainer: Partial<RunConfig["train"]> = {},
): RunConfig {
  if (cell.kind !== "run") {
    throw new TypeError(
      `Cannot make a run config for cell '${cell.name}' as it is a ${cell.kind} cell`,
    );
  }
  const name = seedName(cell.name, seed);
  return mergeConfig(base, {
    name,
    select: {
      method: cell.select.method,
      reward: cell.select.reward,
      seed: base.select.seed + seed,
    },
    train: { ...trainer, loss: cell.loss, seed: base.train.seed + seed },
  }, `cell ${name}`);
}
