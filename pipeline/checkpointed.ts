/**
 * `Checkpointed`: wraps a stage so that its output is checkpointed and a restarted run only does
 * the groups not yet done.
 *
 * For each input group, in order:
 *   - prompt_id in a completed shard -> the stored output group is read back and emitted (so
 *     downstream stages that are not done still receive it); the stage never sees it;
 *   - otherwise -> the group goes through the stage; its output is added to the open shard
 *     (written every `shardRows` rows) and emitted.
 * Output order is input order, whatever mix of stored and computed groups, so a resumed run
 * emits the same sequence as an uninterrupted one.
 *
 * Plumbing (a readable/writable pair, usable with `pipeThrough`):
 *
 *     writable -> route --(computed groups)--> stage --> merge -> readable
 *                   \------(slots, in order)------------^
 *
 * `route` queues one slot per input group and writes only the groups to compute into the
 * stage; `merge` takes slots in order and, for a computed one, the stage's next output. The
 * slot queue holds up to `maxInFlight` slots, so a stage that buffers several groups before
 * emitting (a batching generator) keeps receiving input; beyond that, backpressure.
 */
import type { Group, ImageValue } from "../schemas/mod.ts";
import { type FlowGroup, imagesOf, withImages } from "../schemas/flow.ts";
import { ShardBuffer } from "./shard_buffer.ts";
import { StageError } from "./stage_error.ts";
import type { StageStore } from "./stage_store.ts";

export interface CheckpointedOptions {
  /** Rows per Parquet shard. @default {4096} */
  shardRows?: number;
  /**
   * Input groups queued ahead of the stage's output. Must exceed the number of groups the stage
   * holds before emitting (its batch size), or the run waits forever. @default {256}
   */
  maxInFlight?: number;
}

/** Counts for the run summary. */
export interface StageStats {
  /** Groups computed by the stage in this run. */
  computed: number;
  /** Groups read back from completed shards. */
  reused: number;
  /** Computed groups dropped with the open shard by a cancel or failure (redone next run). */
  dropped: number;
}

interface Slot<In> {
  group: FlowGroup<In>;
  stored: boolean;
}

/** A stage's transform with checkpoints; see the module comment. */
export class Checkpointed<In, Out> implements ReadableWritablePair<FlowGroup<Out>, FlowGroup<In>> {
  readonly writable: WritableStream<FlowGroup<In>>;
  readonly readable: ReadableStream<FlowGroup<Out>>;
  readonly stats: StageStats = { computed: 0, reused: 0, dropped: 0 };
  /** Settles once the stage has finished, failed or been cancelled, and cleaned up. */
  readonly done: Promise<void>;
  #buffer: ShardBuffer<Out>;

  constructor(
    name: string,
    stage: ReadableWritablePair<Group<Out>, FlowGroup<In>>,
    store: StageStore<Out>,
    options: CheckpointedOptions = {},
  ) {
    const maxInFlight = options.maxInFlight ?? 256;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(
        `Cannot construct Checkpointed as maxInFlight must be a positive integer: current value is ${maxInFlight}`,
      );
    }
    const buffer = new ShardBuffer(store, options.shardRows ?? 4096);
    this.#buffer = buffer;
    const stats = this.stats;
    const stageWriter = stage.writable.getWriter();
    const stageReader = stage.readable.getReader();
    // The group being written into the stage: a stage that throws fails on this one (or, for a
    // batching stage, on one of the groups it holds; it may throw a StageError to be precise).
    let current: string | null = null;
    const seen = new Set<string>();
    let settle!: () => void;
    this.done = new Promise((resolve) => settle = resolve);

    const route = new TransformStream<FlowGroup<In>, Slot<In>>(
      {
        async transform(group, controller) {
          if (seen.has(group.prompt_id)) {
            throw new StageError(name, group.prompt_id, "the prompt arrives twice in the input");
          }
          seen.add(group.prompt_id);
          const stored = store.has(group.prompt_id);
          controller.enqueue({ group, stored });
          if (stored) return;
          current = group.prompt_id;
          try {
            await stageWriter.write(group);
          } catch (err) {
            throw StageError.wrap(name, group.prompt_id, err);
          }
        },
        async flush() {
          current = null;
          try {
            await stageWriter.close();
          } catch (err) {
            throw StageError.wrap(name, null, err);
          }
        },
      },
      undefined,
      { highWaterMark: maxInFlight },
    );
    const slots = route.readable.getReader();

    let pulling: Promise<void> = Promise.resolve();
    let closing = false;
    // Cancel or failure: stop both inputs first (that ends any read the pull is waiting on),
    // then let a shard write in progress complete, then drop the open shard.
    const cleanup = async (reason: unknown) => {
      if (closing) return;
      closing = true;
      await Promise.allSettled([
        slots.cancel(reason),
        stageReader.cancel(reason),
        stageWriter.abort(reason),
      ]);
      await pulling.catch(() => {});
      stats.dropped += buffer.discard();
      settle();
    };

    const pullOne = async (controller: ReadableStreamDefaultController<FlowGroup<Out>>) => {
      const next = await slots.read();
      if (closing) return;
      if (next.done) {
        const extra = await stageReader.read();
        if (!extra.done) {
          throw new StageError(
            name,
            extra.value.prompt_id,
            "the stage emitted more groups than it received (one output group per input group)",
          );
        }
        if (closing) return;
        await buffer.finish();
        closing = true;
        controller.close();
        settle();
        return;
      }
      const { group, stored } = next.value;
      const images: ReadonlyMap<string, ImageValue> | undefined = imagesOf(group);
      let out: Group<Out>;
      if (stored) {
        try {
          out = await store.load(group.prompt_id, group.prompt);
        } catch (err) {
          throw StageError.wrap(name, group.prompt_id, err);
        }
        if (closing) return;
        stats.reused++;
      } else {
        let r: ReadableStreamReadResult<Group<Out>>;
        try {
          r = await stageReader.read();
        } catch (err) {
          throw StageError.wrap(name, current ?? group.prompt_id, err);
        }
        if (closing) return;
        if (r.done) {
          throw new StageError(
            name,
            group.prompt_id,
            "the stage ended without emitting this group",
          );
        }
        out = r.value;
        if (out.prompt_id !== group.prompt_id) {
          throw new StageError(
            name,
            group.prompt_id,
            `the stage emitted prompt '${out.prompt_id}' where this one was next ` +
              `(a stage emits one group per input group, in input order)`,
          );
        }
        try {
          await buffer.add(out);
        } catch (err) {
          throw StageError.wrap(name, out.prompt_id, err);
        }
        stats.computed++;
      }
      if (!closing) controller.enqueue(withImages(out, images));
    };

    this.writable = route.writable;
    this.readable = new ReadableStream<FlowGroup<Out>>({
      async pull(controller) {
        pulling = pullOne(controller);
        try {
          await pulling;
        } catch (err) {
          const e = StageError.wrap(name, null, err);
          await cleanup(e);
          throw e;
        }
      },
      cancel: (reason) => cleanup(reason),
    }, { highWaterMark: 0 });
  }

  /** Groups in the open (unwritten) shard. */
  get pending(): number {
    return this.#buffer.pending;
  }

  /** Shards written in this run. */
  get shardsWritten(): number {
    return this.#buffer.written;
  }
}
