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
import { unknownCommand } from "../lib/unknown_command.ts";
import { parseFlags } from "../lib/parse_flags.ts";
import { parsedOrExit } from "./parsed_or_exit.ts";
import { unknownFlag } from "../lib/unknown_flag.ts";
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

/** Each action's flags besides --queue; each takes a positive integer. */
const NUMBERS: Record<string, string[]> = {
  submit: ["shards", "ack-wait-s", "max-deliver"],
  status: [],
  wait: ["timeout-s"],
  delete: [],
};

interface Parsed {
  action: string;
  queue: string;
  numbers: Record<string, number>;
  runArgs: string[];
}

/** `capo queue`'s arguments, or "help"; throws a TypeError (a UsageError) on a bad one. */
function parse(args: string[]): Parsed | "help" {
  const [action, ...rest] = args;
  if (action === "-h" || action === "--help") return "help";
  if (action === undefined || !Object.hasOwn(NUMBERS, action)) {
    throw unknownCommand("capo queue", action ?? "", Object.keys(NUMBERS));
  }
  const command = `capo queue ${action}`;
  const { values, positionals, tokens } = parseFlags(command, {
    args: rest,
    options: {
      queue: { type: "string" },
      ...Object.fromEntries(NUMBERS[action]!.map((n) => [n, { type: "string" as const }])),
      help: { type: "boolean", short: "h", default: false },
    },
    // Only after `--`: the capo run flags a submitted shard runs with.
    allowPositionals: true,
    tokens: true,
  });
  if (values.help) return "help";
  const end = tokens.find((t) => t.kind === "option-terminator")?.index ?? rest.length;
  const runArgs = rest.slice(end + 1);
  if (positionals.length > runArgs.length) {
    const flags = ["--queue", ...NUMBERS[action]!.map((n) => `--${n}`), "--help"];
    throw unknownFlag(command, positionals[0]!, flags);
  }
  const numbers: Record<string, number> = {};
  for (const name of NUMBERS[action]!) {
    const v = (values as Record<string, unknown>)[name];
    if (typeof v !== "string") continue;
    if (!POSITIVE.test(v) || Number(v) < 1) {
      throw new TypeError(
        `Cannot use --${name} as it must be a positive integer: current value is '${v}'`,
      );
    }
    numbers[`--${name}`] = Number(v);
  }
  if (values.queue === undefined) {
    throw new TypeError("Cannot run capo queue as --queue is required");
  }
  if (action === "submit" && numbers["--shards"] === undefined) {
    throw new TypeError("Cannot submit as --shards N is required");
  }
  if (action !== "submit" && runArgs.length > 0) {
    throw new TypeError(`Cannot pass run flags after -- to ${action}`);
  }
  return { action, queue: values.queue, numbers, runArgs };
}

export async function main(args: string[]): Promise<number> {
  if (args.length === 0) {
    console.log(QUEUE_USAGE);
    return 2;
  }
  const p = await parsedOrExit("capo queue", QUEUE_USAGE, () => parse(args));
  if (typeof p === "number") return p;
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
