/**
 * The evaluator's options: the run config's `evaluate` section (lib/config_table.ts), each key
 * declared once with its type, default and the reason for it. `capo evaluate` starts from
 * EVALUATE_COMMAND_DEFAULTS instead: the full evaluation rather than the default run's budget.
 */
import {
  bool,
  defaultsOf,
  int,
  key,
  list,
  num,
  orNull,
  text,
  type ValuesOf,
} from "../../lib/config_table.ts";

export const EVALUATE = {
  prompts: key(
    text("a prompt file path"),
    "data/prompts/eval.txt",
    "Eval prompts, one per line: eval.txt is the locked test set, data/prompts/dev.txt the set " +
      "every hyperparameter search evaluates on",
    "disjoint from the train prompts (data/prompts/README.md)",
  ),
  max_prompts: key(
    orNull(int(1)),
    96,
    "Evaluate this many prompts, stratified by category: equal shares per category, a " +
      "category with fewer prompts giving all it has and the others sharing the rest equally; " +
      "evenly spaced within a category (stages/evaluate/eval_inputs.ts). null: every prompt, " +
      "the full mode (with seeds_per_prompt 4, GenEval's protocol; `capo evaluate`'s default)",
    "the default run's budget: 96 prompts x 2 seeds x 2 models in about half a minute; " +
      "on eval.txt 3 single_object, 18 two_object, 19 counting, 19 colors, 19 position, " +
      "18 color_attr, so every category of ShapeEval's table has a value",
  ),
  seeds_per_prompt: key(
    int(1),
    2,
    "Seeds per prompt (the same for base and tuned)",
    "the default run's budget; GenEval's 4 in the full mode (`capo evaluate`, `capo compare`)",
  ),
  seed_base: key(
    int(0),
    1_000_000,
    "First seed; prompt i seed k uses seed_base + i * seeds_per_prompt + k",
    "as models/shapeeval.ts: the same images as `capo shapes eval`",
  ),
  steps: key(int(1), 20, "Sampling steps", "as generate.steps"),
  guidance: key(num(), 4, "Classifier-free guidance scale", "the sampler's default"),
  rewards: key(
    orNull(list(text("a reward manifest path"))),
    null,
    "Reward manifests; null: every data/rewards/<name>.json with a <name>.onnx beside it",
    "the shipped rewards",
  ),
  shapeeval: key(
    bool,
    true,
    "Judge every image with ShapeEval (ShapeWorld prompts only)",
    "the compositional benchmark, independent of the rewards",
  ),
  resamples: key(
    int(1),
    1000,
    "Bootstrap resamples of the win-rate interval",
    "enough for a stable 95% percentile interval",
  ),
  level: key(num({ gt: 0, lt: 1 }), 0.95, "Coverage of the interval", "the usual 95%"),
  seed: key(int(0), 0, "Seed of the bootstrap", "any fixed value"),
  chunk: key(
    int(1),
    64,
    "Images per sampler and reward call",
    "ORT batches of 64 images (128 rows under guidance)",
  ),
  cache: key(
    bool,
    true,
    "Keep each model's per-image scores in <runs_dir>/eval-cache/, keyed by a hash of its " +
      "weights, the prompts, seeds, sampler settings and rewards (stages/evaluate/" +
      "score_cache.ts), and reuse them",
    "the base is then sampled once for every run and reproduce cell evaluated against it",
  ),
};

export type EvalOptions = ValuesOf<typeof EVALUATE>;

/** `capo evaluate`'s starting point: every prompt, GenEval's 4 seeds, the sampler's 30 steps. */
export const EVALUATE_COMMAND_DEFAULTS: EvalOptions = {
  ...defaultsOf(EVALUATE),
  max_prompts: null,
  seeds_per_prompt: 4,
  steps: 30,
};
