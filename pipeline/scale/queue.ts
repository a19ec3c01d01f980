/**
 * The dynamic work queue on NATS JetStream (docs/method.md §7): one message per work shard.
 *
 * A queue `Q` is a stream `CAPO_Q` with work-queue retention on subject `capo.Q.shards` (a
 * message is deleted once acked) and one durable pull consumer `workers` with explicit acks:
 *   - a worker pulls a message, runs `--shard i/n` and acks only once every stage's manifest for
 *     that shard is on disk and complete;
 *   - while it works it sends `working()` every ack_wait/4, so a long shard is not redelivered;
 *   - a worker that dies stops sending them: after `ack_wait` the server redelivers the message
 *     to another worker, which resumes the shard from its checkpoints (same run directory on
 *     shared storage) instead of redoing it, and never duplicates a group;
 *   - a message delivered `max_deliver` times without an ack stays in the stream, undelivered:
 *     `capo queue wait` reports it as failed.
 * The message carries the `capo run` flags, so every worker runs the same config.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { loadRunConfig } from "../config.ts";

const QUEUE = /^[A-Za-z0-9_-]{1,64}$/;

/** The stream, subject and consumer of queue `queue`. */
export function queueNames(queue: string): { stream: string; subject: string; consumer: string } {
  if (!QUEUE.test(queue)) {
    throw new TypeError(
      `Cannot use queue name '${queue}' as it must match ${QUEUE} (it names a NATS stream)`,
    );
  }
  return { stream: `CAPO_${queue}`, subject: `capo.${queue}.shards`, consumer: "workers" };
}

/** One message: run work shard index/count with these `capo run` flags. */
export interface ShardTask {
  v: 1;
  index: number;
  count: number;
  args: string[];
}

/** Decodes a message; throws naming `source` if it is not a ShardTask. */
export function parseTask(data: Uint8Array, source: string): ShardTask {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new TypeError(`Cannot read work-queue message ${source} as it is not JSON`);
  }
  const t = raw as Partial<ShardTask> | null;
  if (
    t === null || typeof t !== "object" || t.v !== 1 || !Number.isSafeInteger(t.count) ||
    !Number.isSafeInteger(t.index) || t.index! < 0 || t.index! >= t.count! ||
    !Array.isArray(t.args) || !t.args.every((a) => typeof a === "string")
  ) {
    throw new TypeError(
      `Cannot read work-queue message ${source} as it must be {v: 1, index, count, args} with ` +
        `0 <= index < count: current value is ${JSON.stringify(raw)?.slice(0, 120)}`,
    );
  }
  return t as ShardTask;
}

export interface SubmitOptions {
  queue: string;
  /** Number of work shards n (messages 0/n ... n-1/n). */
  count: number;
  /** `capo run` flags every worker runs with (no --shard: the queue sets it). */
  args: string[];
  /** Redelivery after this long without an ack or heartbeat. @default {30000} */
  ackWaitMs?: number;
  /** Deliveries of one shard before it is given up (a failing shard). @default {5} */
  maxDeliver?: number;
}

/** Creates the queue and publishes one message per shard; throws if the queue exists. */
export async function submitShards(nc: NatsConnection, o: SubmitOptions): Promise<void> {
  const names = queueNames(o.queue);
  if (!Number.isSafeInteger(o.count) || o.count < 1) {
    throw new RangeError(
      `Cannot submit shards as the count must be a positive integer: current value is ${o.count}`,
    );
  }
  const ackWaitMs = o.ackWaitMs ?? 30_000;
  const maxDeliver = o.maxDeliver ?? 5;
  if (!(ackWaitMs >= 1000)) {
    throw new RangeError(
      `Cannot submit shards as ack wait must be at least 1000 ms: current value is ${ackWaitMs}`,
    );
  }
  if (!Number.isSafeInteger(maxDeliver) || maxDeliver < 1) {
    throw new RangeError(
      `Cannot submit shards as max deliver must be a positive integer: current value is ${maxDeliver}`,
    );
  }
  if (o.args.some((a) => a === "--shard" || a.startsWith("--shard="))) {
    throw new TypeError(
      "Cannot submit shards with --shard in the run flags: the queue gives each worker its shard",
    );
  }
  await loadRunConfig(o.args); // the flags must be valid before any worker sees them
  const jsm = await jetstreamManager(nc);
  if (await streamExists(jsm, names.stream)) {
    throw new RangeError(
      `Cannot submit to queue '${o.queue}' as it already exists (stream ${names.stream}): ` +
        `wait for it or delete it with capo queue delete --queue ${o.queue}`,
    );
  }
  await jsm.streams.add({
    name: names.stream,
    subjects: [names.subject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  });
  await jsm.consumers.add(names.stream, {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ackWaitMs * 1_000_000, // nanoseconds
    max_deliver: maxDeliver,
  });
  const js = jetstream(nc);
  for (let i = 0; i < o.count; i++) {
    const task: ShardTask = { v: 1, index: i, count: o.count, args: o.args };
    // The message id makes a repeated publish (a retried submit) a no-op on the server.
    await js.publish(names.subject, JSON.stringify(task), { msgID: `${o.queue}/${i}of${o.count}` });
  }
}

async function streamExists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  try {
    await jsm.streams.info(stream);
    return true;
  } catch (err) {
    if (/stream not found/i.test(String((err as Error)?.message ?? err))) return false;
    throw err;
  }
}

/** Where a queue stands. */
export interface QueueState {
  queue: string;
  /** Shards not yet acked (messages in the stream). */
  left: number;
  /** Shards never delivered yet. */
  waiting: number;
  /** Shards delivered and not yet acked (a worker has them, or had them and died). */
  in_progress: number;
  /** Shards in progress that were delivered more than once (a worker died, or it failed). */
  redelivered: number;
  ack_wait_ms: number;
  max_deliver: number;
  /** No shard left: every one was acked. */
  done: boolean;
  /** Shards left that will not be delivered again (each failed max_deliver times). */
  given_up: number;
}

/** The queue's state; throws naming the queue if it does not exist. */
export async function queueState(nc: NatsConnection, queue: string): Promise<QueueState> {
  const names = queueNames(queue);
  const jsm = await jetstreamManager(nc);
  let stream, consumer;
  try {
    stream = await jsm.streams.info(names.stream);
    consumer = await jsm.consumers.info(names.stream, names.consumer);
  } catch (err) {
    if (/not found/i.test(String((err as Error)?.message ?? err))) {
      throw new RangeError(
        `Cannot read queue '${queue}' as it does not exist (no stream ${names.stream} or ` +
          `consumer ${names.consumer}): capo queue submit creates it`,
      );
    }
    throw err;
  }
  const left = stream.state.messages;
  const waiting = consumer.num_pending;
  const inProgress = consumer.num_ack_pending;
  return {
    queue,
    left,
    waiting,
    in_progress: inProgress,
    redelivered: consumer.num_redelivered,
    ack_wait_ms: Math.round((consumer.config.ack_wait ?? 0) / 1_000_000),
    max_deliver: consumer.config.max_deliver ?? -1,
    done: left === 0,
    given_up: Math.max(0, left - waiting - inProgress),
  };
}

/** Deletes the queue's stream (and its consumer). */
export async function deleteQueue(nc: NatsConnection, queue: string): Promise<boolean> {
  const names = queueNames(queue);
  const jsm = await jetstreamManager(nc);
  if (!(await streamExists(jsm, names.stream))) return false;
  return await jsm.streams.delete(names.stream);
}
