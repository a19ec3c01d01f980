/**
 * `runWorker`: pulls work shards from the queue (pipeline/scale/queue.ts) one at a time until none is
 * left, keeping each message alive while its shard runs and acking it once the shard's
 * manifests are committed as complete.
 *
 * Per message:
 *   1. decode the task; start `working()` heartbeats every ack_wait/4;
 *   2. run the shard (`runShard`): a redelivered shard resumes from the checkpoints a dead
 *      worker left, so no group is done twice and none is lost;
 *   3. done -> ack, waiting for the server to confirm; failed -> nak with a delay (another
 *      delivery, up to max_deliver); cancelled (SIGINT/SIGTERM) -> nak at once and stop.
 * When a pull times out the worker asks the server where the queue stands: it stops once no
 * shard is left (exit 0) or every shard left has been given up (exit 1); otherwise another
 * worker holds a shard, which may come back if that worker dies, so it keeps waiting.
 */
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { logger } from "../../lib/log.ts";
import type { Method } from "../method.ts";
import { parseTask, queueNames, queueState } from "./queue.ts";
import { runShard } from "./run_shard.ts";

export interface WorkerOptions {
  queue: string;
  method: Method;
  /** Aborted on SIGINT/SIGTERM: the shard in progress is cancelled and handed back. */
  signal: AbortSignal;
  /**
   * How long one pull waits for a message before checking the queue's state; at least 1000
   * (JetStream's shortest pull expiry). @default {2000}
   */
  pullMs?: number;
  /** Stop after this many shards (e.g. one shard per pod). @default {Infinity} */
  maxShards?: number;
  /** Delay before a failed shard is redelivered. @default {5000} */
  retryDelayMs?: number;
}

export interface WorkerResult {
  /**
   * 0: the queue is done; 1: shards were given up (or, with maxShards, failed here);
   * 130/143: cancelled.
   */
  exit: number;
  done: number;
  failed: number;
}

export async function runWorker(nc: NatsConnection, o: WorkerOptions): Promise<WorkerResult> {
  const log = logger("worker");
  const names = queueNames(o.queue);
  const initial = await queueState(nc, o.queue); // throws naming a queue that does not exist
  const beatMs = Math.max(100, Math.floor(initial.ack_wait_ms / 4));
  const consumer = await jetstream(nc).consumers.get(names.stream, names.consumer);
  const maxShards = o.maxShards ?? Infinity;
  let done = 0;
  let failed = 0;
  while (!o.signal.aborted && done + failed < maxShards) {
    const msg = await consumer.next({ expires: o.pullMs ?? 2000 });
    if (msg === null) {
      const s = await queueState(nc, o.queue);
      if (s.done) {
        // A shard that failed here and was then done by another worker is not a failure of
        // the job: what counts is that every shard was acked.
        log.info("queue done: every shard acked", { queue: o.queue, done });
        return { exit: 0, done, failed };
      }
      if (s.waiting === 0 && s.in_progress === 0) {
        log.error(
          `${s.given_up} shard(s) of queue '${o.queue}' were given up after ${s.max_deliver} ` +
            `deliveries each; see the workers' logs for why`,
        );
        return { exit: 1, done, failed };
      }
      continue; // another worker holds a shard; it comes back here if that worker dies
    }
    // 1. the task, heartbeats
    const source = `${names.subject}#${msg.seq}`;
    const delivery = msg.info.deliveryCount;
    let task;
    try {
      task = parseTask(msg.data, source);
    } catch (err) {
      log.error(String((err as Error).message), { delivery });
      msg.nak(o.retryDelayMs ?? 5000);
      failed++;
      continue;
    }
    const shard = `${task.index}/${task.count}`;
    log.info("shard started", { queue: o.queue, shard, delivery });
    const beat = setInterval(() => msg.working(), beatMs);
    let outcome;
    try {
      // 2. the run
      outcome = await runShard(task, o.method, o.signal, logger("run")).catch((err) => ({
        status: "failed" as const,
        summary: err instanceof Error ? err.message : String(err),
      }));
    } finally {
      clearInterval(beat);
    }
    // 3. ack / nak
    if (outcome.status === "done") {
      const confirmed = await msg.ackAck().catch(() => false);
      if (!confirmed) {
        log.warn(`the server did not confirm the ack of shard ${shard}; it may be redelivered`);
      }
      log.info("shard done", { queue: o.queue, shard, delivery, summary: outcome.summary });
      done++;
    } else if (outcome.status === "cancelled") {
      msg.nak();
      log.warn(`shard ${shard} handed back: ${outcome.summary}`);
      break;
    } else {
      msg.nak(o.retryDelayMs ?? 5000);
      log.error(`shard ${shard} failed (delivery ${delivery}): ${outcome.summary}`);
      failed++;
    }
  }
  const exit = o.signal.aborted ? (o.signal.reason === "SIGTERM" ? 143 : 130) : failed > 0 ? 1 : 0;
  return { exit, done, failed };
}
