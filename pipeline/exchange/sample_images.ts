/**
 * `SampleImages`: the image bytes of samples by sample_id, read from a Sample stage's shards on
 * demand. Pair shards list prompts in the same order as the Sample shards, so keeping the two
 * most recently read shards decoded makes a pass over the pairs read each Sample shard once.
 */
import { join } from "node:path";
import { readParquetFile } from "../../lib/parquet.ts";
import type { StageData } from "./stage_data.ts";

export class SampleImages {
  #data: StageData;
  #where = new Map<string, number>(); // prompt_id -> shard index
  #cache = new Map<number, Map<string, Uint8Array>>(); // shard index -> sample_id -> bytes

  /** @param samples a Sample stage (rows with sample_id and image {bytes, path}) */
  constructor(samples: StageData) {
    if (samples.manifest.schema.name !== "sample") {
      throw new TypeError(
        `Cannot read images from stage '${samples.stage}' as it holds '${samples.manifest.schema.name}' records, not 'sample'`,
      );
    }
    this.#data = samples;
    samples.manifest.shards.forEach((s, i) => {
      for (const id of s.prompt_ids) this.#where.set(id, i);
    });
  }

  /** The image bytes of `sampleId` (of prompt `promptId`); throws naming both if absent. */
  async get(promptId: string, sampleId: string): Promise<Uint8Array> {
    const index = this.#where.get(promptId);
    const bytes = index === undefined ? undefined : (await this.#shard(index)).get(sampleId);
    if (bytes === undefined) {
      throw new RangeError(
        `Cannot find the image of sample '${sampleId}' (prompt '${promptId}') in the Sample ` +
          `stage '${this.#data.stage}' of ${this.#data.runDir}`,
      );
    }
    return bytes;
  }

  async #shard(index: number): Promise<Map<string, Uint8Array>> {
    const hit = this.#cache.get(index);
    if (hit) return hit;
    const s = this.#data.manifest.shards[index]!;
    const path = join(this.#data.dir, s.file);
    const table = await readParquetFile(path, s.sha256);
    const ids = table.getChild("sample_id");
    const images = table.getChild("image");
    if (ids === null || images === null) {
      throw new TypeError(`Cannot read images from ${path} as it has no sample_id or image column`);
    }
    const map = new Map<string, Uint8Array>();
    for (let i = 0; i < table.numRows; i++) {
      const img = images.get(i) as { bytes: Uint8Array | null } | null;
      if (img?.bytes) map.set(String(ids.get(i)), img.bytes);
    }
    if (this.#cache.size >= 2) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(index, map);
    return map;
  }
}
