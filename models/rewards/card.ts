/**
 * The reward card, data/rewards/README.md, rendered from metrics.json and the config: every
 * number in it is one the train-rewards command measured.
 */
import { writeFileAtomic } from "../../lib/atomic_write.ts";
import { type Correlations, MAX_AGREEMENT } from "./correlations.ts";
import type { AestheticQuality, AlignmentQuality, PreferenceQuality } from "./evaluate.ts";
import type { RewardRecord, RewardsMetrics } from "./metrics_file.ts";
import { REWARD_NAMES, type RewardsConfig } from "./rewards_config.ts";
import type { SampleMix } from "./world_sample.ts";

// A correlation with a constant series is NaN (null once through JSON): shown as "n/a".
const fixed = (digits: number) => (x: number | null) =>
  x === null || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
const f2 = fixed(2);
const f3 = fixed(3);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

function arch(r: RewardRecord): string {
  const n = r.net;
  const grid = n.imageSize / n.patchSize / n.merge;
  const px = n.patchSize * n.merge;
  const seq = n.inputs === "image"
    ? `${grid * grid} image tokens`
    : `${grid * grid} image + ${n.maxTokens} prompt tokens in one sequence`;
  return `an MLP stem on ${n.patchSize}x${n.patchSize}-pixel patches (width ${n.stemWidth}), ` +
    `merged ${n.merge}x${n.merge} into ${px}x${px}-pixel tokens; a pre-LN transformer over ${seq} ` +
    `(width ${n.width}, depth ${n.depth}, ${n.heads} heads, MLP x${n.mlpRatio}); attention ` +
    `pooling and an MLP head. ${r.params.toLocaleString("en")} parameters, ${kib(r.onnxBytes)} ` +
    `ONNX (float32, opset 17)`;
}

function mixText(mix: SampleMix): string {
  const kinds = mix.kinds.length ? mix.kinds.join(", ") : "none";
  return `degradation levels drawn from [${mix.levels.join(", ")}] over ${kinds}`;
}

function optimiser(r: RewardRecord): string {
  const t = r.train;
  const start = r.initFrom === null ? `init seed ${t.seed}` : `warm-started from ${r.initFrom}`;
  return `${t.steps} steps of ${t.batchSize} images, AdamW lr ${t.lr} (warm-up ${t.warmupSteps}, ` +
    `cosine to x${t.finalLrFraction}), weight decay ${t.weightDecay}, gradient clip ${t.gradClip}, ` +
    `${start}; **${r.trainSeconds} s** on tfjs-${r.backend}, one core`;
}

function table(title: string, c: Correlations): string {
  const head = `| | ${c.names.join(" | ")} |\n|---|${c.names.map(() => "---:").join("|")}|`;
  const rows = c.names.map((n, i) => `| ${n} | ${c.rho[i]!.map(f2).join(" | ")} |`);
  const ok = c.maxRewardPair.rho <= MAX_AGREEMENT;
  return `### ${title}\n\n${c.source} (n = ${c.n}).\n\n${head}\n${rows.join("\n")}\n\n` +
    `Most alike rewards: ${c.maxRewardPair.a} and ${c.maxRewardPair.b}, ` +
    `rho = ${f3(c.maxRewardPair.rho)} (${
      ok ? "within" : "**ABOVE**"
    } the limit of ${MAX_AGREEMENT}).` +
    (c.spread
      ? `\n\nWithin-prompt spread (median over prompts of the standard deviation of a reward ` +
        `among one prompt's samples), written to each manifest as its calibration \`tau\`: ` +
        `${list(c.spread)}.`
      : "");
}

function list(obj: Record<string, number>): string {
  return Object.entries(obj).map(([k, v]) => `${k} ${f3(v)}`).join(", ");
}

function extreme(obj: Record<string, number>, pick: "min" | "max"): [string, number] {
  const entries = Object.entries(obj).sort((x, y) => x[1] - y[1]);
  return (pick === "min" ? entries[0] : entries[entries.length - 1]) ?? ["none", NaN];
}

export function renderCard(m: RewardsMetrics, cfg: RewardsConfig): string {
  const a = m.rewards.aesthetic, al = m.rewards.alignment, p = m.rewards.preference;
  const qa = a.quality as AestheticQuality;
  const ql = al.quality as AlignmentQuality;
  const qp = p.quality as PreferenceQuality;
  const an = cfg.annotator;
  const alMix = cfg.rewards.alignment.mix;
  const total = REWARD_NAMES.reduce((s, n) => s + m.rewards[n].trainSeconds, 0);
  const files = REWARD_NAMES.map((n) => {
    const r = m.rewards[n];
    return `| ${n} | \`${n}.json\` | \`${n}.onnx\` | ${r.params.toLocaleString("en")} | ` +
      `${kib(r.onnxBytes)} | ${r.trainSeconds} s |`;
  });
  const minimal = Object.fromEntries(
    Object.entries(ql.byMismatch).filter(([k]) => k !== "unrelated"),
  );
  const [weakKind, weakAuc] = extreme(minimal, "min");
  const [strongKind, strongAuc] = extreme(minimal, "max");
  const corr: string[] = [];
  if (m.correlations.samples) corr.push(table("On base-model samples", m.correlations.samples));
  if (m.correlations.proxy) {
    const title = m.correlations.samples
      ? "On the proxy set"
      : "On the proxy set (no base-model samples were given: these are NOT base-model samples)";
    corr.push(table(title, m.correlations.proxy));
  }
  return `# The rewards of the default world (ShapeWorld)

Three learned reward models, analogues of the paper's VILA, VQAScore and MPS (docs/method.md §8),
shipped as ONNX files with manifests in the scorer harness' format (docs/reward_manifest.md;
bringing your own: docs/bring_your_own_reward.md). Generated by \`deno task train-rewards\`
from \`${m.config}\`; every number below was measured by that command and is also in
\`metrics.json\`. Training all three took ${total.toFixed(0)} s.

| reward | manifest | model | params | size | training |
|---|---|---|---:|---:|---:|
${files.join("\n")}

Inputs (all three): the image, NHWC float32 32x32, x = pixel / 127.5 - 1. The alignment and
preference models also take the prompt as ${al.net.maxTokens} int64 token ids over ShapeWorld's
vocabulary (inline in the manifest: \`<pad>\`, \`<unk>\`, \`<null>\`, then the words). Training
data are ShapeWorld renders of TRAIN prompts drawn on the fly from seeds; held-out numbers use
EVAL prompts and seeds never used in training, scored through the harness (\`OnnxReward\`).

## aesthetic (VILA analogue)

Image only; a quality score, higher for clean, crisp images.

- Architecture: ${arch(a)}.
- Training: regression onto 1 - level / 4 (level 0 clean to 4 worst) of renders with at most
  one graded degradation (blur, noise, colour cast, blotches, a shape cut off at the edge, two
  shapes merged; ${mixText(cfg.rewards.aesthetic.mix)}); ${optimiser(a)}.
- Held-out (${qa.images} renders): Spearman's rho between score and degradation level
  **${f3(qa.spearmanLevel)}** (negative is right: worse images score lower). Per kind (clean
  renders plus that kind): ${list(qa.byKind)}.

## alignment (VQAScore analogue)

(image, prompt) -> the probability that the image shows the prompt (the graph outputs a
logit; the manifest's \`"kind": "sigmoid"\` turns it into a probability).

- Architecture: ${arch(al)}.
- Training: binary cross-entropy; each prompt comes with one image that shows it and one that
  does not. A mismatched image is a minimal change of a scene laid out for the prompt (wrong
  colour or two colours swapped, wrong count, wrong shape, wrong relation, a missing object)
  or, with probability ${alMix.pUnrelated}, the scene of another prompt; such easy negatives make
  up all mismatches at first and fade to that share over the first ${al.train.curriculumSteps}
  steps. Mild ${alMix.kinds.join(" or ")} (${mixText(alMix)}); ${optimiser(al)}.
- Held-out (${ql.images} images, half mismatched): ROC AUC
  **${f3(ql.auc)}** (matched vs minimal changes). Per mismatch kind (all matched vs that kind):
  ${list(ql.byMismatch)}. Per category: ${list(ql.byCategory)}. Like VQAScore it is good but
  not perfect: best on ${strongKind} (${f3(strongAuc)}), weakest on ${weakKind} (${f3(weakAuc)}).

## preference (MPS analogue)

(image, prompt) -> a scalar, trained Bradley-Terry on pairs judged by a hidden annotator.

- Architecture: ${arch(p)}.
- The annotator (training code only, never a reward: \`models/rewards/annotator.ts\`) scores
  u = ${an.quality} q + ${an.alignment} a + ${an.taste} t, with q = 1 - level / 4, a = 1 when
  the image shows the prompt, and t its own taste for larger, more saturated shapes; each
  judgement adds N(0, ${an.noise}^2) noise to each side.
- Training: groups of ${p.train.groupSize} images of one prompt (mismatched with p =
  ${cfg.rewards.preference.mix.pMismatch}, ${mixText(cfg.rewards.preference.mix)}), every pair
  judged; loss -log sigmoid(s(winner) - s(loser)); ${optimiser(p)}.
- Held-out (${qp.pairs} annotated pairs of eval prompts): pairwise accuracy
  **${f3(qp.accuracy)}** against the annotator's noisy verdicts (its own noisy verdicts agree
  with its noise-free utility on ${f3(qp.annotatorCeiling)}, the ceiling); ${
    f3(qp.noiseFreeAccuracy)
  } against its noise-free utility.

## How much the rewards agree

Spearman's rho between the rewards, and with ShapeEval's verdict (1 correct, 0 not; an exact
detector, independent of all three). The rewards must partly disagree, as real ones do: no
two above ${MAX_AGREEMENT}.

${corr.join("\n\n")}

To recompute on samples of the pretrained base without retraining, either drawn here from a
model folder (\`eval.correlationImages\` samples of the eval prompts) or read from a Parquet
file of Sample records or a folder of PNGs:

    deno task train-rewards --correlations-only --base data/models/<base>
    deno task train-rewards --correlations-only --samples runs/<run>/generate/part-00000.parquet

## Ranking one prompt's samples

Pair selection compares samples of the same prompt, so what matters is how well each reward
ranks one prompt's own samples: over every pair of a base model's samples of one prompt where
ShapeEval calls one right and the other wrong, the share the reward ranks the right one first
(ties half; 50% is chance; models/rewards/ranking_accuracy.ts). Measured apart from training,
on the shipped rewards (rerun after retraining; scores cached in runs/eval-cache):

    deno task train-rewards --ranking-only [--base DIR] [--prompts FILE] [--max-prompts N] [--seeds N]

## Limits

- ShapeWorld only: 32x32 renders of the closed vocabulary. Prompts outside it tokenise to
  \`<unk>\` and score as noise.
- Trained on renders, not on diffusion samples: a base model's typical artefacts (soft edges,
  colour bleed) are only approximated by the degradations.
- The aesthetic reward never sees the prompt; the alignment reward was trained on mild
  degradations only, so heavily degraded images are outside its training distribution.
- The alignment reward does not read spatial relations: its wrong-relation AUC is 0.50, and on
  position prompts alone (matched images against the same prompts laid out in another relation) it
  is at chance, 0.50 on eval prompts and 0.53 on train prompts. Retraining with relation negatives up to 1,000x as
  frequent, 2x the steps and a 2x learning rate did not change that (0.48-0.53; every point in
  docs/search/alignment-relation.md). Pairs of position prompts (71% of train.txt) are therefore
  chosen by what the rewards see besides the relation: colours, shapes, counts, quality.
`;
}

export async function writeCard(
  path: string,
  m: RewardsMetrics,
  cfg: RewardsConfig,
): Promise<void> {
  await writeFileAtomic(path, renderCard(m, cfg));
}
