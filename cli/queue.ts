/**
 * `capo queue submit|status|wait|delete`: the NATS JetStream work queue (pipeline/scale/queue.ts).
 *
 *     capo queue submit --queue Q --shards N [--ack-wait-s 30] [--max-deliver 5] -- <run flags>
 *     capo queue status --queue Q        (one JSON line)
 *     capo queue wait   --queue Q [--timeout-s S]
 *     capo queue delete --queue Q
 *
 * Exit status: 0 ok (wait: every shard acked), 1 failed (wait: shards given up, or timeout; a
 * connection refused), 2 bad arguments. Credentials: CAPO_NATS_* (pipeline/scale/nats_connect.ts).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { connectionFromEnv, connectQueue } from "../pipeline/scale/nats_connect.ts";
import { deleteQueue, queueState, submitShards } from "../pipeline/scale/queue.ts";

export const QUEUE_USAGE = `usage: capo queue <submit|status|wait|delete> --queue NAME [options]

  submit --queue Q --shards N [--ack-wait-s 30] [--max-deliver 5] -- <capo run flags>
      creates queue Q with one message per work shard 0/N .. N-1/N; workers
      (capo worker --queue Q) run each with the given capo run flags
  status --queue Q                  prints the queue's state as one JSON line
  wait --queue Q [--timeout-s S]    waits until every shard is acked (exit 0) or given up (1)
  delete --queue Q                  deletes the queue
Environment: CAPO_NATS_URL, and CAPO_NATS_USER + CAPO_NATS_PASSWORD or CAPO_NATS_NKEY_SEED[_FILE].`;

const POSITIVE = /^\d+$/;

interface Parsed {
  action: string;
  queue: string;
  numbers: Record<string, number>;
  runArgs: string[];
}

function parse(args: string[]): Parsed {
  const [action, ...rest] = args;
  const allowed: Record<string, string[]> = {
    submit: ["--shards", "--ack-wait-s", "--max-deliver"],
    status: [],
    wait: ["--timeout-s"],
    delete: [],
  };
  if (action === undefined || !(action in allowed)) {
    throw new TypeError(
      `Cannot use action '${action ?? ""}' as it must be one of ${Object.keys(allowed).join(", ")}`,
    );
  }
  const dash = rest.indexOf("--");
  const own = dash < 0 ? rest : rest.slice(0, dash);
  const runArgs = dash < 0 ? [] : rest.slice(dash + 1);
  let queue: string | null = null;
  const numbers: Record<string, number> = {};
  for (let i = 0; i < own.length; i += 2) {
    const flag = own[i]!;
    const v = own[i + 1];
    if (v === undefined) throw new TypeError(`Cannot use ${flag} as it needs a value`);
    if (flag === "--queue") queue = v;
    else if (allowed[action]!.includes(flag)) {
      if (!POSITIVE.test(v) || Number(v) < 1) {
        throw new TypeError(
          `Cannot use ${flag} as it must be a positive integer: current value is '${v}'`,
        );
      }
      numbers[flag] = Number(v);
    } else {
      throw new TypeError(
        `Cannot use argument '${flag}' with ${action}: flags are --queue${
          allowed[action]!.map((f) => `, ${f}`).join("")
        }`,
      );
    }
  }
  if (queue === null) throw new TypeError("Cannot run capo queue as --queue is required");
  if (action === "submit" && numbers["--shards"] === undefined) {
    throw new TypeError("Cannot submit as --shards N is required");
  }
  if (action !== "submit" && runArgs.length > 0) {
    throw new TypeError(`Cannot pass run flags after -- to ${action}`);
  }
  return { action, queue, numbers, runArgs };
}

export async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args.includes("-h") || args.includes("--help")) {
    console.log(QUEUE_USAGE);
    return args.length === 0 ? 2 : 0;
  }
  let p: Parsed;
  try {
    p = parse(args);
  } catch (err) {
    console.error(`capo queue: ${(err as Error).message}\n\n${QUEUE_USAGE}`);
    return 2;
  }
  let nc: NatsConnection;
  try {
    nc = await connectQueue(connectionFromEnv(undefined, `capo-queue-${p.action}`));
  } catch (err) {
    console.error(`capo queue: ${(err as Error).message}`);
    return 1;
  }
  try {
    return await act(nc, p);
  } catch (err) {
    console.error(`capo queue ${p.action}: ${(err as Error).message}`);
    return 1;
  } finally {
    await nc.close().catch(() => {});
  }
}

async function act(nc: NatsConnection, p: Parsed): Promise<number> {
  switch (p.action) {
    case "submit": {
      const n = p.numbers["--shards"]!;
      await submitShards(nc, {
        queue: p.queue,
        count: n,
        args: p.runArgs,
        ackWaitMs: (p.numbers["--ack-wait-s"] ?? 30) * 1000,
        maxDeliver: p.numbers["--max-deliver"] ?? 5,
      });
      console.log(`queue ${p.queue}: ${n} shard(s) submitted`);
      return 0;
    }
    case "status":
      console.log(JSON.stringify(await queueState(nc, p.queue)));
      return 0;
    case "wait": {
      const deadline = Date.now() + (p.numbers["--timeout-s"] ?? Infinity) * 1000;
      for (;;) {
        const s = await queueState(nc, p.queue);
        if (s.done) {
          console.log(`queue ${p.queue}: every shard acked`);
          return 0;
        }
        if (s.waiting === 0 && s.in_progress === 0) {
          console.error(
            `capo queue wait: ${s.given_up} shard(s) of queue ${p.queue} were given up after ` +
              `${s.max_deliver} deliveries each`,
          );
          return 1;
        }
        if (Date.now() >= deadline) {
          console.error(
            `capo queue wait: timed out with ${s.left} shard(s) left (${s.in_progress} in progress)`,
          );
          return 1;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    case "delete": {
      const gone = await deleteQueue(nc, p.queue);
      console.log(gone ? `queue ${p.queue} deleted` : `queue ${p.queue} did not exist`);
      return 0;
    }
  }
  return 2;
}
