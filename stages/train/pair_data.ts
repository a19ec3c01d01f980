/**
 * The trainer's pairs in memory: each pair's two images (decoded once from the group's PNGs,
 * kept as RGB bytes), its prompt's token ids and its regression target dR_ca.
 *
 * Pairs are kept sorted by pair_id, so the training (data order, fingerprint) depends only on
 * the set of pairs, not on the order groups arrive in (a resumed or re-sharded upstream may
 * deliver them in another order). `fingerprint()` hashes everything training reads; a
 * checkpoint resumes only on the same fingerprint.
 *
 * With `train.epoch_pairs` 'redraw' an epoch trains one pair per prompt (`perEpoch`,
 * `epochPairs`): epoch e the prompt's pair e mod k of its k pairs in pair_index order, so
 * select.pairs_per_prompt = epochs independent FRS draws give a new frontier pair every epoch.
 */
import { createHash } from "node:crypto";
import { imageValues, type ModelConfig } from "../../models/config.ts";
import { Tokenizer } from "../../models/tokenizer.ts";
import { toUnit } from "../../models/pretrain_batch.ts";
import type { FlowGroup } from "../../schemas/flow.ts";
import { logger } from "../../lib/log.ts";
import type { Pair } from "../../schemas/pair.ts";
import { decodePng } from "../../lib/png.ts";
import type { EpochPairs } from "./data_order.ts";

const log = logger("train");

interface StoredPair {
  id: string;
  prompt: string;
  index: number;
  winner: Uint8Array;
  loser: Uint8Array;
  tokens: Int32Array;
  dRca: number;
}

export interface PairBatch {
  /** B pairs. */
  size: number;
  /** x0 [2B, S, S, C] in [-1, 1]: the B winners, then the B losers (same order). */
  x0: Float32Array;
  /** tokens [2B, L]: each pair's prompt, for its winner and its loser. */
  tokens: Int32Array;
  /** dR_ca [B]. */
  dRca: Float32Array;
}

export class PairData {
  readonly config: ModelConfig;
  #pairs: StoredPair[] = [];
  #sorted = true;
  #tokenizer: Tokenizer;
  #tokens = new Map<string, Int32Array>();
  #weights: [string, number][] | null;
  #groups = 0;
  readonly epochMode: EpochPairs;
  /** Per prompt, its pairs' indices in pair_index order (for 'redraw'; null: stale). */
  #byPrompt: number[][] | null = null;

  /**
   * `rewardWeights`: null to use each Pair's `delta` as dR_ca, else {reward: weight};
   * `epochPairs`: train.epoch_pairs.
   */
  constructor(
    config: ModelConfig,
    rewardWeights: Record<string, number> | null = null,
    epochPairs: EpochPairs = "all",
  ) {
    this.config = config;
    this.#tokenizer = new Tokenizer(config.vocabulary, config.maxTokens);
    this.#weights = rewardWeights === null ? null : Object.entries(rewardWeights);
    this.epochMode = epochPairs;
  }

  get size(): number {
    return this.#pairs.length;
  }

  /** Pairs trained per epoch: all of them, or one per prompt ('redraw'). */
  get perEpoch(): number {
    return this.epochMode === "all" ? this.size : this.#prompts().length;
  }

  /** The pair indices (into the pair_id order) of epoch `epoch`, `perEpoch` of them. */
  epochPairs(epoch: number): number[] {
    if (this.epochMode === "all") return Array.from({ length: this.size }, (_, i) => i);
    return this.#prompts().map((ix) => ix[epoch % ix.length]!);
  }

  #prompts(): number[][] {
    if (this.#byPrompt === null) {
      const map = new Map<string, StoredPair[]>();
      const pairs = this.#sortedPairs();
      const at = new Map(pairs.map((p, i) => [p, i]));
      for (const p of pairs) map.set(p.prompt, [...(map.get(p.prompt) ?? []), p]);
      this.#byPrompt = [...map.values()].map((ps) =>
        ps.sort((a, b) => a.index - b.index).map((p) => at.get(p)!)
      );
      if (this.#byPrompt.length > 0 && this.#byPrompt.every((ix) => ix.length === 1)) {
        log.warn(
          "train.epoch_pairs 'redraw' with one pair per prompt trains the same pairs every " +
            "epoch: set select.pairs_per_prompt to train.epochs to redraw them",
        );
      }
    }
    return this.#byPrompt;
  }

  /** Groups seen (with or without pairs). */
  get groups(): number {
    return this.#groups;
  }

  /** Adds a prompt group's pairs, decoding their images from `group.images`. */
  add(group: FlowGroup<Pair>): void {
    this.#groups++;
    for (const pair of group.rows) {
      const dRca = this.#target(pair);
      this.#pairs.push({
        id: pair.pair_id,
        prompt: pair.prompt_id,
        index: pair.pair_index,
        winner: this.#image(group, pair, "winner", pair.winner_id),
        loser: this.#image(group, pair, "loser", pair.loser_id),
        tokens: this.#tokensOf(pair.prompt),
        dRca,
      });
      this.#sorted = false;
      this.#byPrompt = null;
    }
  }

  /** sha256 over every pair's id, target and images, in pair_id order. */
  fingerprint(): string {
    const h = createHash("sha256");
    for (const p of this.#sortedPairs()) {
      h.update(`${p.id}\0${p.dRca}\0`);
      h.update(p.winner);
      h.update(p.loser);
    }
    return h.digest("hex");
  }

  /** The pairs at `indices` (into the pair_id order) as one batch. */
  batch(indices: readonly number[]): PairBatch {
    const pairs = this.#sortedPairs();
    const B = indices.length;
    const V = imageValues(this.config);
    const L = this.config.maxTokens;
    const x0 = new Float32Array(2 * B * V);
    const tokens = new Int32Array(2 * B * L);
    const dRca = new Float32Array(B);
    indices.forEach((idx, j) => {
      const p = pairs[idx];
      if (p === undefined) {
        throw new RangeError(
          `Cannot batch pair ${idx} as it must be in [0, ${pairs.length}): current value is ${idx}`,
        );
      }
      toUnit(p.winner, x0, j * V);
      toUnit(p.loser, x0, (B + j) * V);
      tokens.set(p.tokens, j * L);
      tokens.set(p.tokens, (B + j) * L);
      dRca[j] = p.dRca;
    });
    return { size: B, x0, tokens, dRca };
  }

  #sortedPairs(): StoredPair[] {
    if (!this.#sorted) {
      this.#pairs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.#sorted = true;
    }
    return this.#pairs;
  }

  #target(pair: Pair): number {
    let v: number;
    if (this.#weights === null) {
      v = pair.delta;
    } else {
      let num = 0, den = 0;
      for (const [k, w] of this.#weights) {
        const win = pair[`rca_winner_${k}`], lose = pair[`rca_loser_${k}`];
        if (typeof win !== "number" || typeof lose !== "number") {
          throw new TypeError(
            `Cannot compute the target of pair '${pair.pair_id}' with train.reward_weights as ` +
              `it has no 'rca_winner_${k}'/'rca_loser_${k}' columns (rewards selected upstream: ${
                Object.keys(pair).filter((c) => c.startsWith("rca_winner_")).map((c) => c.slice(11))
                  .join(", ") || "none"
              })`,
          );
        }
        num += w * (win - lose);
        den += w;
      }
      v = num / den;
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `Cannot train on pair '${pair.pair_id}' as its target dR_ca must be finite: current value is ${v}`,
      );
    }
    return v;
  }

  #image(group: FlowGroup<Pair>, pair: Pair, role: string, id: string): Uint8Array {
    const value = group.images?.get(id);
    if (!(value?.bytes instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot train on pair '${pair.pair_id}' as the image of its ${role} '${id}' is not in ` +
          `the group (${group.images?.size ?? 0} images arrived with prompt '${group.prompt_id}')`,
      );
    }
    let img;
    try {
      img = decodePng(value.bytes);
    } catch (err) {
      throw new TypeError(
        `Cannot decode the image of ${role} '${id}' of pair '${pair.pair_id}': ${
          (err as Error).message
        }`,
      );
    }
    const S = this.config.imageSize;
    if (img.width !== S || img.height !== S) {
      throw new RangeError(
        `Cannot train on pair '${pair.pair_id}' as the model takes ${S}x${S} images: the ` +
          `${role} '${id}' is ${img.width}x${img.height}`,
      );
    }
    return img.rgb;
  }

  #tokensOf(prompt: string): Int32Array {
    let ids = this.#tokens.get(prompt);
    if (ids === undefined) {
      const e = this.#tokenizer.encode(prompt);
      if (e.unknown.length > 0) {
        log.warn("prompt has words outside the model's vocabulary; trained as <unk>", {
          prompt,
          unknown: e.unknown,
        });
      }
      ids = e.ids;
      this.#tokens.set(prompt, ids);
    }
    return ids;
  }
}
