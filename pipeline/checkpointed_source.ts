/**
 * `CheckpointedSource`: checkpoints the output of a run's source (the prompt source).
 *
 * A source is cheap and deterministic given its config (which includes its input file's hash),
 * so on restart it is simply re-read: groups already in completed shards pass through without
 * being written again; the others go into the open shard. The stream emits every group either
 * way, so the stages after it see the whole input.
 */
import type { Group } from "../schemas/mod.ts";
import type { StageStats } from "./checkpointed.ts";
import type { FlowGroup } from "../schemas/flow.ts";
import { ShardBuffer } from "./shard_buffer.ts";
import { StageError } from "./stage_error.ts";
import type { StageStore } from "./stage_store.ts";

export class CheckpointedSource<T> extends TransformStream<Group<T>, FlowGroup<T>> {
  readonly stats: StageStats = { computed: 0, reused: 0, dropped: 0 };
  /** Settles once the source has finished, failed or been cancelled, and cleaned up. */
  readonly done: Promise<void>;
  #buffer: ShardBuffer<T>;

  /** @param shardRows rows per Parquet shard */
  constructor(name: string, store: StageStore<T>, shardRows: number) {
    const buffer = new ShardBuffer(store, shardRows);
    const seen = new Set<string>();
    let settle!: () => void;
    const done = new Promise<void>((resolve) => settle = resolve);
    let writing: Promise<void> = Promise.resolve();
    const stats: StageStats = { computed: 0, reused: 0, dropped: 0 };
    const stop = async () => {
      await writing.catch(() => {}); // a shard write in progress completes; the open one is dropped
      stats.dropped += buffer.discard();
      settle();
    };
    const transformer: Transformer<Group<T>, FlowGroup<T>> = {
      async transform(group, controller) {
        try {
          if (seen.has(group.prompt_id)) throw new Error("the prompt appears twice in the source");
          seen.add(group.prompt_id);
          if (store.has(group.prompt_id)) {
            stats.reused++;
          } else {
            writing = buffer.add(group);
            await writing;
            stats.computed++;
          }
        } catch (err) {
          await stop();
          throw StageError.wrap(name, group.prompt_id, err);
        }
        controller.enqueue(group);
      },
      async flush() {
        try {
          await buffer.finish();
        } catch (err) {
          throw StageError.wrap(name, null, err);
        } finally {
          settle();
        }
      },
      cancel: stop,
    };
    super(transformer, undefined, { highWaterMark: 1 });
    this.#buffer = buffer;
    this.stats = stats;
    this.done = done;
  }

  /** Shards written in this run. */
  get shardsWritten(): number {
    return this.#buffer.written;
  }
}
