/**
 * The trainer sink's options (the run config's `train` section), each default with its reason,
 * and their validation: unknown keys and bad values are rejected naming the key and where it
 * came from, before any work starts. Free of tfjs and onnxruntime, so the run config can import
 * it cheaply.
 */
import { checkLossKind, type LossKind } from "./loss_kinds.ts";
import { LR_SCHEDULES, type LrSchedule } from "./lr_schedule.ts";
import {
  badKey,
  finite,
  isObject,
  oneOf,
  unknownKey,
  type Where,
} from "../../lib/config_checks.ts";
import { type Weighting, WEIGHTINGS } from "./weighting.ts";

export interface TrainerOptions {
  /** The base model directory (model.safetensors + config.json): the policy's start. */
  model: string;
  /** The frozen reference model directory (its model.onnx, else its safetensors); null: `model`. */
  reference: string | null;
  /** Loss kind: 'capo' | 'dpo' | 'ipo' (stages/train/losses.ts). */
  loss: LossKind;
  /** Scale of the implicit reward gap, > 0 (stages/train/implicit_reward.ts for its scale). */
  beta: number;
  /** w(t): 'constant' | 'sigmoid' (stages/train/weighting.ts). */
  weighting: Weighting;
  /** b of the sigmoid weighting sigmoid(-lambda_t + b). */
  weighting_b: number;
  /** null: dR_ca is the Pair's `delta` (weights set in the select stage); else {reward: weight}
   *  to recompute dR_ca = sum_k w_k (Rca_k(x+) - Rca_k(x-)) / sum_k w_k from the Pair's columns. */
  reward_weights: Record<string, number> | null;
  /** Peak learning rate of AdamW. */
  lr: number;
  /** Linear warm-up steps. */
  warmup_steps: number;
  /** After warm-up: 'constant' | 'cosine' (to 0 at the last step). */
  schedule: LrSchedule;
  /** Decoupled AdamW weight decay (matrices only). */
  weight_decay: number;
  /** Clip the global gradient norm to this; 0 = off. */
  grad_clip: number;
  /** Pairs per step (2x as many images through the policy and the reference). */
  batch_pairs: number;
  /** Passes over the pairs (may be fractional); steps = ceil(epochs * pairs / batch_pairs). */
  epochs: number;
  /** If set, the number of steps instead of `epochs`. */
  max_steps: number | null;
  /** Seeds the data order and every timestep and noise draw. */
  seed: number;
  /** flow models: share of training times drawn uniformly, the rest logit-normal (as SD3). */
  flow_uniform_mix: number;
  /** Steps between checkpoints (also written at the end and on cancel). */
  checkpoint_every: number;
  /** Also write model.onnx beside the fine-tuned safetensors (the evaluator samples it). */
  export_onnx: boolean;
}

export const TRAINER_DEFAULTS: TrainerOptions = {
  model: "data/models/base-eps", // the shipped eps (SDXL-like) base; base-flow for SD3-like
  reference: null, // the reference is the base model itself, as in the paper
  loss: "capo",
  // Searched on a 32x32 eps base (pretraining snapshot, 120 pairs, a colourfulness reward,
  // 30 steps): 500 puts dR_theta on dR_ca's scale (0.48 vs 0.61, loss 0.54, r = 0.18); 1000
  // and 2500 (Diffusion-DPO's beta_dpo = 5000 in our scale) make |dR_theta| noise dwarf the
  // targets (loss 10-150); 100 (at lr 2e-5) drove the reward 22.8 -> 93, far from the base.
  beta: 500,
  weighting: "constant", // Diffusion-DPO's; 'sigmoid' is the paper's alternative
  weighting_b: 1.5, // the paper's reported best (unconfirmed, SPEC 1.5)
  reward_weights: null, // the select stage's target (its weights) is the one source of truth
  // 1/40 of pretraining's 4e-4; in that search it raised the held-out reward 22.8 -> 42 in 30
  // steps (DPO at the same beta and lr: -> 83, its dR_theta running to 4x the targets).
  lr: 1e-5,
  warmup_steps: 10, // AdamW's second moments settle in ~10 steps
  schedule: "constant",
  weight_decay: 0, // decay pulls towards 0, not towards the reference; leave it off
  grad_clip: 1, // as pretraining: a few pairs with large gaps must not jump the weights
  batch_pairs: 16, // 32 images per step: a stable gradient at ~1-2 s per step on 2 cores
  epochs: 1,
  max_steps: null,
  seed: 0,
  flow_uniform_mix: 0.2, // as pretraining (models/configs/base-flow.json)
  checkpoint_every: 50, // a 12 MB write every ~minute of training
  export_onnx: true,
};

/** `raw` (parsed JSON) over `base`; throws naming the first bad or unknown key. */
export function mergeTrainerOptions(
  base: TrainerOptions,
  raw: unknown,
  where: Where,
  prefix = "train.",
): TrainerOptions {
  if (!isObject(raw)) throw badKey(prefix.slice(0, -1) || "(root)", where, "an object", raw);
  const out: TrainerOptions = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    const key = prefix + k;
    const int = (min: number) =>
      finite(key, v, where, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`);
    switch (k as keyof TrainerOptions) {
      case "model":
        if (typeof v !== "string" || v === "") throw badKey(key, where, "a model directory", v);
        out.model = v;
        break;
      case "reference":
        if (v !== null && (typeof v !== "string" || v === "")) {
          throw badKey(key, where, "null or a model directory", v);
        }
        out.reference = v;
        break;
      case "loss":
        out.loss = checkLossKind(v, `config key '${key}' (${where})`);
        break;
      case "beta":
        out.beta = finite(key, v, where, (x) => x > 0, "a number > 0");
        break;
      case "weighting":
        out.weighting = oneOf(key, v, where, WEIGHTINGS);
        break;
      case "weighting_b":
        out.weighting_b = finite(key, v, where, () => true, "a finite number");
        break;
      case "reward_weights":
        out.reward_weights = rewardWeights(key, v, where);
        break;
      case "lr":
        out.lr = finite(key, v, where, (x) => x > 0, "a number > 0");
        break;
      case "warmup_steps":
        out.warmup_steps = int(0);
        break;
      case "schedule":
        out.schedule = oneOf(key, v, where, LR_SCHEDULES);
        break;
      case "weight_decay":
        out.weight_decay = finite(key, v, where, (x) => x >= 0, "a number >= 0");
        break;
      case "grad_clip":
        out.grad_clip = finite(key, v, where, (x) => x >= 0, "a number >= 0 (0 = off)");
        break;
      case "batch_pairs":
        out.batch_pairs = int(1);
        break;
      case "epochs":
        out.epochs = finite(key, v, where, (x) => x > 0, "a number > 0");
        break;
      case "max_steps":
        out.max_steps = v === null ? null : int(1);
        break;
      case "seed":
        out.seed = finite(
          key,
          v,
          where,
          (x) => Number.isSafeInteger(x) && x >= 0,
          "an integer >= 0",
        );
        break;
      case "flow_uniform_mix":
        out.flow_uniform_mix = finite(key, v, where, (x) => x >= 0 && x <= 1, "in [0, 1]");
        break;
      case "checkpoint_every":
        out.checkpoint_every = int(1);
        break;
      case "export_onnx":
        if (typeof v !== "boolean") throw badKey(key, where, "true or false", v);
        out.export_onnx = v;
        break;
      default:
        throw unknownKey(key, where, Object.keys(base).map((x) => prefix + x));
    }
  }
  return out;
}

function rewardWeights(key: string, v: unknown, where: Where): Record<string, number> | null {
  if (v === null) return null;
  if (!isObject(v) || Object.keys(v).length === 0) {
    throw badKey(key, where, "null or an object {reward: weight} with at least one reward", v);
  }
  let sum = 0;
  for (const [name, w] of Object.entries(v)) {
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw badKey(`${key}.${name}`, where, "a number >= 0", w);
    }
    sum += w;
  }
  if (!(sum > 0)) throw badKey(key, where, "weights with a positive sum", v);
  return { ...(v as Record<string, number>) };
}

/**
 * The options that determine the training result (a checkpoint resumes only under these). The
 * model paths are left out: the trainer hashes the weights themselves, so a moved model
 * directory still resumes and a retrained one at the same path does not.
 */
export function trainingIdentity(o: TrainerOptions): Record<string, unknown> {
  const { checkpoint_every: _c, export_onnx: _e, model: _m, reference: _r, ...rest } = o;
  return rest;
}
