/**
 * `ShardBuffer`: the open shard of a stage, computed groups held in memory until they fill a
 * shard, then written through the store. Nothing of the open shard is on disk, so a crash or a
 * cancel loses exactly the groups in it (they are redone next time) and never a completed shard.
 */
import type { Group } from "../schemas/mod.ts";
import type { StageStore } from "./stage_store.ts";

export class ShardBuffer<T> {
  #store: StageStore<T>;
  #shardRows: number;
  #groups: Group<T>[] = [];
  #weight = 0;
  /** Shards written by this buffer. */
  written = 0;

  /** @param shardRows a shard is written once it holds this many rows (a group counts >= 1). */
  constructor(store: StageStore<T>, shardRows: number) {
    if (!Number.isInteger(shardRows) || shardRows < 1) {
      throw new RangeError(
        `Cannot construct ShardBuffer as shardRows must be a positive integer: current value is ${shardRows}`,
      );
    }
    this.#store = store;
    this.#shardRows = shardRows;
  }

  /** Groups in the open shard. */
  get pending(): number {
    return this.#groups.length;
  }

  /** Adds a computed group; writes the shard when it is full. */
  async add(group: Group<T>): Promise<void> {
    this.#groups.push(group);
    // A group with no rows still counts, so a stage whose groups are all empty still shards.
    this.#weight += Math.max(1, group.rows.length);
    if (this.#weight >= this.#shardRows) await this.flush();
  }

  /** Writes the open shard, if it holds anything. */
  async flush(): Promise<void> {
    if (this.#groups.length === 0) return;
    const groups = this.#groups;
    this.#groups = [];
    this.#weight = 0;
    await this.#store.writeShard(groups);
    this.written++;
  }

  /** Writes the last shard and marks the stage complete. */
  async finish(): Promise<void> {
    await this.flush();
    await this.#store.markComplete();
  }

  /** Drops the open shard (cancel, or an error anywhere in the run). */
  discard(): number {
    const n = this.#groups.length;
    this.#groups = [];
    this.#weight = 0;
    return n;
  }
}
