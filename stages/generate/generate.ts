/**
 * Generator (docs/method.md §1.1): each prompt group becomes N samples of the reference model, each
 * with the seed of its initial noise recorded, so any image can be regenerated exactly.
 *
 * Batches cut across groups (as the scorer's): images are queued until `batch` are waiting,
 * sampled in one call, and groups are emitted, in input order, as soon as all their images
 * exist; the remainder is sampled on close. At most `batch + n - 1` images are pending, so
 * memory is bounded whatever the number of prompts.
 *
 * The sampler is created on the first batch and released on close or cancel, so a run that
 * starts after this stage never opens an onnxruntime session for it. This module imports no
 * model code (only its types): tests drive it with any `ImageSampler`.
 */
import { logger } from "../../lib/log.ts";
import { Rng } from "../../lib/rng.ts";
import type { Group } from "../../schemas/group.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import type { Sample } from "../../schemas/sample.ts";
import { encodePng } from "../../lib/png.ts";
import { hashString } from "../select/select_pairs.ts";
import { defaultsOf, merge } from "../../lib/config_table.ts";
import { GENERATE, type GenerateConfig } from "./options.ts";

const log = logger("generate");

/** What the generator needs of models/sampler.ts' `Sampler`. */
export interface ImageSampler {
  /** Uint8 RGB HWC images of `size x size`, one per (prompt, seed). */
  sample(req: {
    prompts: readonly string[];
    seeds: readonly number[];
    steps: number;
    guidance: number;
    eta: number;
  }): Promise<Uint8Array[]>;
  release(): Promise<void>;
}

/**
 * The run config's `generate` section (stages/generate/options.ts; keys left out take its
 * defaults, `model` is the caller's business) and what the loaded model gives.
 */
export type GenerateOptions = Partial<Omit<GenerateConfig, "model">> & {
  /** Creates the sampler; called once, on the first batch. */
  sampler: () => Promise<ImageSampler>;
  /** Image side in pixels (the model's imageSize). */
  imageSize: number;
  /** Recorded in every row: model name and weights hash. */
  modelId: string;
  /** Recorded in every row: 'ddim' or 'euler'. */
  samplerName: string;
};

/** The seed of sample `index` of a prompt: a pure function of (run seed, prompt_id, index). */
export function sampleSeed(seed: number, promptId: string, index: number): number {
  return Rng.derive(seed, hashString(promptId), index).int(2 ** 31);
}

interface Pending {
  group: Group<Prompt>;
  images: (Uint8Array | undefined)[];
  left: number;
}

export class GenerateStream extends TransformStream<Group<Prompt>, Group<Sample>> {
  #queue: Pending[] = [];
  #waiting: { p: Pending; i: number }[] = [];
  #sampler: ImageSampler | null = null;
  #images = 0;
  #lastLog = performance.now();

  constructor(options: GenerateOptions) {
    const { sampler, imageSize, modelId, samplerName, ...section } = options;
    let cfg: GenerateConfig;
    try {
      cfg = merge(GENERATE, defaultsOf(GENERATE), section, "GenerateStream options", "generate.");
    } catch (err) {
      throw new RangeError(`Cannot construct GenerateStream: ${(err as Error).message}`);
    }
    const o = { ...cfg, sampler, imageSize, modelId, samplerName };
    const start = performance.now();
    const release = async () => {
      const s = this.#sampler;
      this.#sampler = null;
      await s?.release();
    };
    const sampleBatch = async (items: { p: Pending; i: number }[]) => {
      this.#sampler ??= await o.sampler();
      const prompts = items.map(({ p }) => p.group.prompt);
      const seeds = items.map(({ p, i }) => sampleSeed(o.seed, p.group.prompt_id, i));
      const images = await this.#sampler.sample({
        prompts,
        seeds,
        steps: o.steps,
        guidance: o.guidance,
        eta: o.eta,
      });
      const want = o.imageSize * o.imageSize * 3;
      items.forEach(({ p, i }, b) => {
        const img = images[b];
        if (img?.length !== want) {
          throw new RangeError(
            `Cannot use the sampler's image for sample '${p.group.prompt_id}:${i}' as it must ` +
              `have ${want} bytes: current length is ${img?.length}`,
          );
        }
        p.images[i] = img;
        p.left--;
      });
      this.#images += items.length;
      // One progress line every 10 s: the total is unknown while prompts stream in.
      const now = performance.now();
      if (now - this.#lastLog > 10_000) {
        this.#lastLog = now;
        const rate = this.#images / ((now - start) / 1000);
        log.info(`generated ${this.#images} images (${rate.toFixed(1)}/s)`);
      }
    };
    const emitReady = (controller: TransformStreamDefaultController<Group<Sample>>) => {
      while (this.#queue.length > 0 && this.#queue[0]!.left === 0) {
        const { group, images } = this.#queue.shift()!;
        const rows = images.map((img, i): Sample => ({
          sample_id: `${group.prompt_id}:${i}`,
          prompt_id: group.prompt_id,
          prompt: group.prompt,
          sample_index: i,
          seed: sampleSeed(o.seed, group.prompt_id, i),
          image: { bytes: encodePng(img!, o.imageSize, o.imageSize), path: null },
          model_id: o.modelId,
          sampler: o.samplerName,
          steps: o.steps,
          guidance: o.guidance,
        }));
        controller.enqueue({ prompt_id: group.prompt_id, prompt: group.prompt, rows });
      }
    };
    super({
      transform: async (group, controller) => {
        const p: Pending = { group, images: new Array(o.n), left: o.n };
        this.#queue.push(p);
        for (let i = 0; i < o.n; i++) this.#waiting.push({ p, i });
        try {
          while (this.#waiting.length >= o.batch) {
            await sampleBatch(this.#waiting.splice(0, o.batch));
          }
        } catch (err) {
          await release();
          throw err;
        }
        emitReady(controller);
      },
      flush: async (controller) => {
        try {
          if (this.#waiting.length > 0) await sampleBatch(this.#waiting.splice(0));
          emitReady(controller);
          if (this.#images > 0) {
            const secs = (performance.now() - start) / 1000;
            log.info(`generated ${this.#images} images in ${secs.toFixed(1)} s`);
          }
        } finally {
          await release();
        }
      },
      cancel: async () => {
        await release();
      },
    });
  }
}
