/**
 * The trainer sink's options: the run config's `train` section, each key declared once with its
 * type, default and the reason for it (lib/config_table.ts). How the defaults were searched is
 * in docs/defaults.md. Free of tfjs and onnxruntime, so the run config can import it cheaply.
 */
import {
  bool,
  custom,
  int,
  isObject,
  key,
  num,
  oneOf,
  orNull,
  text,
  type ValuesOf,
} from "../../lib/config_table.ts";
import { EPOCH_PAIRS } from "./data_order.ts";
import { LOSS_KINDS } from "./loss_kinds.ts";
import { LR_SCHEDULES } from "./lr_schedule.ts";
import { WEIGHTINGS } from "./weighting.ts";

/** {reward: weight >= 0} with at least one reward and a positive sum. */
const rewardWeights = custom<Record<string, number>>(
  "an object {reward: weight >= 0} with a positive sum",
  (v) => {
    if (!isObject(v) || Object.keys(v).length === 0) return undefined;
    let sum = 0;
    for (const w of Object.values(v)) {
      if (typeof w !== "number" || !Number.isFinite(w) || w < 0) return undefined;
      sum += w;
    }
    return sum > 0 ? { ...(v as Record<string, number>) } : undefined;
  },
  (t) => JSON.parse(t),
);

export const TRAIN = {
  model: key(
    text("a model directory"),
    "data/models/base-eps",
    "The base model directory (model.safetensors + config.json): the policy's start",
    "the shipped eps (SDXL-like) base; data/models/base-flow for SD3-like",
  ),
  reference: key(
    orNull(text("a model directory")),
    null,
    "The frozen reference model directory (its model.onnx, else its safetensors); null: model",
    "the reference is the base model itself, as in the paper",
  ),
  loss: key(
    oneOf(LOSS_KINDS),
    "capo",
    "Preference loss (stages/train/losses.ts)",
    "the paper's loss",
  ),
  beta: key(
    num({ gt: 0 }),
    10_000,
    "Scale of the implicit reward gap dR_theta (stages/train/implicit_reward.ts)",
    "chosen on dev by the rule of docs/search/ (docs/search/eps-capo.jsonl): final dR_theta " +
      "at 0.51x its target dR_ca (docs/defaults.md)",
  ),
  weighting: key(
    oneOf(WEIGHTINGS),
    "sigmoid",
    "w(t): 'constant' or 'sigmoid' = sigmoid(-lambda_t + b) (stages/train/weighting.ts)",
    "won the default run's search on the step-29,000 eps base (docs/defaults.md)",
  ),
  weighting_b: key(num(), 1.5, "b of the sigmoid weighting", "the paper's reported best"),
  reward_weights: key(
    orNull(rewardWeights),
    null,
    "null: dR_ca is the Pair's delta (weights set in the select stage); else {reward: weight} " +
      "to recompute dR_ca = sum_k w_k (Rca_k(x+) - Rca_k(x-)) / sum_k w_k",
    "the select stage's target is the one source of truth",
  ),
  lr: key(
    num({ gt: 0 }),
    5e-6,
    "Peak learning rate of AdamW",
    "chosen on dev with beta and the steps (docs/search/eps-capo.jsonl, docs/defaults.md)",
  ),
  warmup_steps: key(int(0), 10, "Linear warm-up steps", "AdamW's second moments settle in ~10"),
  schedule: key(
    oneOf(LR_SCHEDULES),
    "constant",
    "After warm-up: 'constant' or 'cosine' (to 0 at the last step)",
    "few steps: a decay would waste most of them",
  ),
  weight_decay: key(
    num({ ge: 0 }),
    0,
    "Decoupled AdamW weight decay (matrices only)",
    "decay pulls towards 0, not towards the reference",
  ),
  grad_clip: key(
    num({ ge: 0 }),
    0,
    "Clip the global gradient norm to this; 0 = off",
    "off: fine-tuning's norms (3.7 to 20,000, growing with beta) were above 1 at every step " +
      "of the dev regime grid, so clip 1 only normalised each step, and no step was an " +
      "outlier (at most 8.5x its run's median norm) for AdamW to be guarded from " +
      "(docs/defaults.md)",
  ),
  batch_pairs: key(
    int(1),
    64,
    "Pairs per step (2x as many images through the policy and the reference)",
    "the default run's search (docs/defaults.md)",
  ),
  epochs: key(
    num({ gt: 0 }),
    32,
    "Passes over the pairs (may be fractional); steps = ceil(epochs * pairs / batch_pairs)",
    "128 steps on the default run's 256 pairs, chosen on dev (docs/search/eps-capo.jsonl)",
  ),
  max_steps: key(orNull(int(1)), null, "If set, the number of steps instead of epochs", "epochs"),
  epoch_pairs: key(
    oneOf(EPOCH_PAIRS),
    "all",
    "Pairs per epoch: 'all' every selected pair; 'redraw' one pair per prompt, epoch e the " +
      "prompt's pair e mod k of its k (stages/train/pair_data.ts): with select.pairs_per_prompt " +
      "= epochs independent seeded FRS draws, a new frontier pair per prompt every epoch (the " +
      "paper's FRS); steps = ceil(epochs * prompts / batch_pairs)",
    "'all' is what the default run's settings were searched with (one pair per prompt)",
  ),
  seed: key(
    int(0),
    0,
    "Seeds the data order and every timestep and noise draw",
    "any fixed value",
  ),
  draws_per_pair: key(
    int(1),
    1,
    "Independent (t, eps) draws per pair; each gap estimate is the mean of dR_theta over K " +
      "draws (the unbiased kinds take two such estimates); K = 1 is the paper's one-draw " +
      "estimate, bit for bit. Costs K times the rows per step (docs/method.md §5.1, ours)",
    "the paper's (and Diffusion-DPO's) one draw; K > 1 is this project's variance reduction",
  ),
  probe_every: key(
    int(0),
    8,
    "Steps between probes of the gap estimator's bias and variance on a fixed batch of the " +
      "first batch_pairs pairs (two independent estimates each, through the run's own training " +
      "graph; logged as probe_var, probe_bias2, probe_sq); 0 = off. The probe's draws never " +
      "touch the training Rng",
    "4 probes in the default run's 32 steps, each two steps' work, so ~1/4 more training time " +
      "(the default run: 0.45 s per step with probes); a batch of the training batch's shape " +
      "adds no onnxruntime memory (a 32-pair probe added 0.46 GB of peak RSS, bench/README.md); the training " +
      "result is unchanged",
  ),
  flow_uniform_mix: key(
    num({ ge: 0, le: 1 }),
    0.2,
    "Flow models: share of training times drawn uniformly, the rest logit-normal (as SD3)",
    "as pretraining (models/configs/base-flow.json)",
  ),
  checkpoint_every: key(
    int(1),
    50,
    "Steps between checkpoints (also written at the end and on cancel)",
    "a 12 MB write every ~minute of training",
  ),
  snapshot_every: key(
    orNull(int(1)),
    null,
    "Also write the model every N steps to train/snapshots/step-<k>/ (model.safetensors, " +
      "config.json, model.onnx) for curves over training; with the constant schedule a " +
      "snapshot is the model a k-step run would give; null: none",
    "12 MB a snapshot; only the over-optimisation curves need them",
  ),
  threads: key(
    orNull(int(1)),
    null,
    "onnxruntime intra-op threads of the training graph and the reference; null: every core",
    "every core is fastest; exact resume needs the same machine and thread count (another " +
      "count resumes with a warning)",
  ),
  export_onnx: key(
    bool,
    true,
    "Also write model.onnx beside the fine-tuned safetensors (the evaluator samples it)",
    "the evaluation needs it",
  ),
};

export type TrainerOptions = ValuesOf<typeof TRAIN>;

/** `train.draws_per_pair`, 1 when absent (options stored before the key existed). */
export function drawsPerPair(o: Partial<Pick<TrainerOptions, "draws_per_pair">>): number {
  return o.draws_per_pair ?? 1;
}

/**
 * The options that determine the training result (a checkpoint resumes only under these). The
 * thread count is left out (another count continues, with a warning), and so are the model
 * paths: the trainer hashes the weights themselves, so a moved model
 * directory still resumes and a retrained one at the same path does not. Snapshots are copies
 * of the weights on the way. The probe cadence is a
 * diagnostic (it never touches the training), and draws_per_pair = 1 is the run from before the
 * key existed: both are left out so that such runs keep their identity and resume.
 */
export function trainingIdentity(o: TrainerOptions): Record<string, unknown> {
  const {
    checkpoint_every: _c,
    snapshot_every: _s,
    export_onnx: _e,
    model: _m,
    reference: _r,
    threads: _t,
    probe_every: _p,
    draws_per_pair: _k,
    ...rest
  } = o;
  return drawsPerPair(o) === 1 ? rest : { ...rest, draws_per_pair: o.draws_per_pair };
}
