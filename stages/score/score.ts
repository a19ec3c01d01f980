/**
 * Multi-reward scorer (docs/method.md §2): runs any number of reward models over sample groups and
 * writes one `reward_<name>` column per model.
 *
 * Batches cut across groups (N = 16 samples per prompt would otherwise cap an ONNX batch at
 * 16): rows are queued until `batchSize` are waiting, each model scores the batch, and groups
 * are emitted, in input order, as soon as all their rows are scored. The remainder is scored
 * on close. Every batch's scores are checked: one finite score per sample, else an error
 * naming the model and the sample.
 */
import type { Group } from "../../schemas/group.ts";
import { checkRewardNames } from "../../schemas/reward_columns.ts";
import type { Sample } from "../../schemas/sample.ts";
import type { Scored } from "../../schemas/scored.ts";
import { decodePng } from "../../lib/png.ts";
import type { RewardModel, RgbImage } from "../../models/rewards/reward_model.ts";

export interface ScoreOptions {
  /** The reward models, in column order; names must be unique lowercase identifiers. */
  rewards: readonly RewardModel[];
  /** Samples per model call, across groups. @default {64} */
  batchSize?: number;
}

interface Pending {
  group: Group<Sample>;
  /** [n x K] scores, filled as batches complete */
  scores: Float64Array;
  left: number;
}

export class ScoreStream extends TransformStream<Group<Sample>, Group<Scored>> {
  #queue: Pending[] = [];
  #waiting: { p: Pending; i: number }[] = [];

  constructor(options: ScoreOptions) {
    const models = [...options.rewards];
    checkRewardNames(models.map((m) => m.name));
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Cannot construct ScoreStream as batchSize must be a positive integer: current value is ${batchSize}`,
      );
    }
    const K = models.length;
    const scoreBatch = async (items: { p: Pending; i: number }[]) => {
      const rows = items.map(({ p, i }) => p.group.rows[i]!);
      const images = rows.map(decodeSample);
      const prompts = rows.map((r) => r.prompt);
      for (let k = 0; k < K; k++) {
        const model = models[k]!;
        let scores: Float64Array;
        try {
          scores = await model.score(images, prompts);
        } catch (err) {
          // The model names itself; add which samples it was scoring, so a bad output shape
          // or an onnxruntime failure can be traced to the data.
          throw new RangeError(
            `${(err as Error).message} (while scoring ${rows.length} samples: ${
              samplesList(rows)
            })`,
            { cause: err },
          );
        }
        if (scores.length !== rows.length) {
          throw new RangeError(
            `Cannot use the scores of reward model '${model.name}' as it returned ${scores.length} ` +
              `scores for a batch of ${rows.length} samples (first '${rows[0]!.sample_id}')`,
          );
        }
        items.forEach(({ p, i }, b) => {
          const v = scores[b]!;
          if (!Number.isFinite(v)) {
            throw new RangeError(
              `Cannot use the score of reward model '${model.name}' for sample '${
                rows[b]!.sample_id
              }' ` +
                `as it must be finite: current value is ${v}`,
            );
          }
          p.scores[i * K + k] = v;
        });
      }
      for (const { p } of items) p.left--;
    };
    const emitReady = (controller: TransformStreamDefaultController<Group<Scored>>) => {
      while (this.#queue.length > 0 && this.#queue[0]!.left === 0) {
        const { group, scores } = this.#queue.shift()!;
        const rows = group.rows.map((r, i) => {
          const row: Record<string, unknown> = {
            sample_id: r.sample_id,
            prompt_id: r.prompt_id,
            prompt: r.prompt,
            sample_index: r.sample_index,
            seed: r.seed,
          };
          for (let k = 0; k < K; k++) row[`reward_${models[k]!.name}`] = scores[i * K + k]!;
          return row as Scored;
        });
        controller.enqueue({ prompt_id: group.prompt_id, prompt: group.prompt, rows });
      }
    };
    super({
      transform: async (group, controller) => {
        const p: Pending = {
          group,
          scores: new Float64Array(group.rows.length * K),
          left: group.rows.length,
        };
        this.#queue.push(p);
        for (let i = 0; i < group.rows.length; i++) this.#waiting.push({ p, i });
        while (this.#waiting.length >= batchSize) {
          await scoreBatch(this.#waiting.splice(0, batchSize));
        }
        emitReady(controller);
      },
      flush: async (controller) => {
        if (this.#waiting.length > 0) await scoreBatch(this.#waiting.splice(0));
        emitReady(controller);
      },
    });
  }
}

/** The first few sample ids of a batch, for error messages. */
function samplesList(rows: readonly Sample[]): string {
  const head = rows.slice(0, 3).map((r) => `'${r.sample_id}'`).join(", ");
  return rows.length > 3 ? `${head} and ${rows.length - 3} more` : head;
}

function decodeSample(row: Sample): RgbImage {
  const bytes = row.image?.bytes;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new TypeError(
      `Cannot score sample '${row.sample_id}' as it has no image bytes (path: ${
        row.image?.path ?? "none"
      })`,
    );
  }
  try {
    return decodePng(bytes);
  } catch (err) {
    throw new TypeError(
      `Cannot decode the image of sample '${row.sample_id}': ${(err as Error).message}`,
    );
  }
}
