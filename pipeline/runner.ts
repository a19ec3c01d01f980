/**
 * `runPipeline`: composes a source, a list of stages and an optional sink into one run with
 * checkpoints, resume, `--from` restarts, cancellation and error propagation.
 *
 * 1. Hash chain: each stage's `stage_hash` covers its name, schema, config and the previous
 *    stage's hash (`plan.ts`); a manifest whose hash differs is stale.
 * 2. Invalidation: the first stale stage and every stage after it are moved to `.stale/` with one
 *    message naming them; `--from S` moves every stage after S aside the same way.
 * 3. Start: `--from S`, else the last complete stage (its shards are read back instead of running
 *    everything before it), else the source. Shards are verified first (`StageStore.verify`).
 * 4. Stream: start -> Checkpointed(stage) -> ... -> sink, with backpressure end to end; the run's
 *    AbortSignal (SIGINT/SIGTERM) cancels the chain, which drops every open shard.
 * 5. Report: per stage, groups computed/reused, shards written and kept; one summary line.
 */
import { join } from "node:path";
import { Checkpointed, type StageStats } from "./checkpointed.ts";
import { CheckpointedSource } from "./checkpointed_source.ts";
import type { FlowGroup } from "../schemas/flow.ts";
import { HydrateImages } from "./hydrate_images.ts";
import { chooseStart } from "./choose_start.ts";
import { invalidate } from "./invalidate.ts";
import { logger } from "../lib/log.ts";
import type { Manifest } from "./manifest.ts";
import { type PlannedStage, planStages, type RunPlan } from "./plan.ts";
import { type RunResult, type StageReport, summarize } from "./run_report.ts";
import { StageError } from "./stage_error.ts";
import type { SinkSpec, StageContext } from "../schemas/stage_spec.ts";
import { readManifest, StageStore } from "./stage_store.ts";
import type { WorkShard } from "./work_shard.ts";

export type { RunResult, StageReport };

export interface RunOptions {
  /** runs/<name> */
  runDir: string;
  /** Rows per Parquet shard. */
  shardRows: number;
  /** This process's work shard. @default {{index: 0, count: 1}} */
  worker?: WorkShard;
  /** Restart from this stage's shards, recomputing every stage after it. @default {null} */
  from?: string | null;
  /** See `CheckpointedOptions.maxInFlight`. @default {256} */
  maxInFlight?: number;
  /** Aborting it cancels the run; its `reason` (e.g. "SIGINT") is reported. */
  signal?: AbortSignal;
}

/** Runs a plan; never throws for a stage failure or a cancel (see `RunResult.status`). */
export async function runPipeline(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  const log = logger("run");
  const worker = options.worker ?? { index: 0, count: 1 };
  const planned = planStages(plan);
  const stores = new Map<string, StageStore<unknown>>();
  const abort = new AbortController();
  const ctx = (name: string): StageContext => ({
    runDir: options.runDir,
    stageDir: join(options.runDir, name),
    worker,
    signal: abort.signal,
  });

  // Steps 1-3: manifests, invalidation, start.
  const manifests = await Promise.all(
    planned.map((p) => readManifest(join(options.runDir, p.id.name), worker)),
  );
  await invalidate(planned, manifests, options, worker, log);
  const open = async (p: PlannedStage) => {
    let s = stores.get(p.id.name);
    if (!s) {
      s = await StageStore.open(options.runDir, p.id, p.schema, worker, logger(p.id.name));
      stores.set(p.id.name, s);
    }
    return s;
  };
  const sinkNeedsImages = plan.sink?.needsImages ?? false;
  const { start, imageStage } = await chooseStart(
    planned,
    manifests,
    options,
    open,
    log,
    sinkNeedsImages,
  );

  // Step 4: the stream.
  let readable: ReadableStream<FlowGroup<unknown>>;
  const running: {
    name: string;
    stats: StageStats;
    done: Promise<void>;
    shards: () => number;
  }[] = [];
  if (start < 0) {
    const p = planned[0]!;
    const store = await open(p);
    await store.verify();
    const src = new CheckpointedSource(p.id.name, store, options.shardRows);
    running.push({
      name: p.id.name,
      stats: src.stats,
      done: src.done,
      shards: () => src.shardsWritten,
    });
    readable = plan.source.open(ctx(p.id.name)).pipeThrough(src);
  } else {
    const store = stores.get(planned[start]!.id.name)!;
    readable = ReadableStream.from(store.groups());
    if (imageStage !== null) {
      readable = readable.pipeThrough(new HydrateImages(store.name, stores.get(imageStage)!));
    }
    log.info(`reading stage '${store.name}' from its ${store.manifest.shards.length} shard(s)`);
  }
  for (let i = Math.max(start + 1, 1); i < planned.length; i++) {
    const p = planned[i]!;
    const store = await open(p);
    await store.verify();
    const spec = plan.stages[i - 1]!;
    let stage;
    try {
      stage = spec.create(ctx(p.id.name));
    } catch (err) {
      throw new StageError(p.id.name, null, err);
    }
    const cp = new Checkpointed(p.id.name, stage, store, {
      shardRows: options.shardRows,
      ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    });
    running.push({
      name: p.id.name,
      stats: cp.stats,
      done: cp.done,
      shards: () => cp.shardsWritten,
    });
    readable = readable.pipeThrough(cp);
  }
  let groupsOut = 0;
  const counted = readable.pipeThrough(
    new TransformStream<FlowGroup<unknown>, FlowGroup<unknown>>({
      transform(g, c) {
        groupsOut++;
        c.enqueue(g);
      },
    }),
  );
  const sink = plan.sink ? namedSink(plan.sink, ctx(plan.sink.name)) : new WritableStream();

  let status: RunResult["status"] = "done";
  let error: Error | undefined;
  const onAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new DOMException("aborted before start", "AbortError");
    await counted.pipeTo(sink, { signal: abort.signal });
  } catch (err) {
    if (options.signal?.aborted) {
      status = "cancelled";
    } else {
      status = "failed";
      error = err instanceof Error ? err : new Error(String(err));
      abort.abort(error);
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  // Every stage settles once its cleanup is done; a stage that never settles must not hang
  // the exit, so wait a bounded time (its open shard is in memory only, nothing to lose).
  await Promise.race([
    Promise.allSettled(running.map((r) => r.done)),
    new Promise((resolve) => setTimeout(resolve, 10_000)),
  ]);

  // Step 5: the report.
  const reports = planned.map((p, i): StageReport => {
    const r = running.find((x) => x.name === p.id.name);
    const m: Readonly<Manifest> | null = stores.get(p.id.name)?.manifest ?? null;
    return {
      stage: p.id.name,
      role: r !== undefined ? "ran" : i === start ? "read" : "untouched",
      computed: r?.stats.computed ?? 0,
      reused: r?.stats.reused ?? 0,
      dropped: r?.stats.dropped ?? 0,
      shardsWritten: r?.shards() ?? 0,
      groupsDone: m?.groups ?? 0,
      shardsKept: m?.shards.length ?? 0,
      quarantined: stores.get(p.id.name)?.quarantined ?? 0,
      complete: m?.complete ?? false,
    };
  });
  const reason = status === "cancelled" ? String(options.signal?.reason ?? "abort") : undefined;
  const result: RunResult = {
    status,
    stages: reports,
    groupsOut,
    summary: summarize(status, reports, groupsOut, reason, error),
  };
  if (error) result.error = error;
  if (reason !== undefined) result.reason = reason;
  return result;
}

/** The sink's writable, with its errors naming the sink and the group it failed on. */
function namedSink(
  spec: SinkSpec<unknown>,
  context: StageContext,
): WritableStream<FlowGroup<unknown>> {
  let writer: WritableStreamDefaultWriter<FlowGroup<unknown>>;
  try {
    writer = spec.create(context).getWriter();
  } catch (err) {
    throw new StageError(spec.name, null, err);
  }
  return new WritableStream({
    async write(group) {
      try {
        await writer.write(group);
      } catch (err) {
        throw StageError.wrap(spec.name, group.prompt_id, err);
      }
    },
    async close() {
      try {
        await writer.close();
      } catch (err) {
        throw StageError.wrap(spec.name, null, err);
      }
    },
    abort: (reason) => writer.abort(reason),
  });
}
