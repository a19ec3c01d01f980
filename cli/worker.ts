/**
 * `capo worker --queue NAME [--max-shards N] [--pull-ms MS]`: a work-queue worker
 * (pipeline/scale/worker.ts). Credentials and server come from CAPO_NATS_* (pipeline/scale/nats_connect.ts).
 *
 * Exit status: 0 the queue is done, 1 shards were given up or the worker could not connect
 * (wrong credentials included), 2 bad arguments, 130/143 stopped by SIGINT/SIGTERM (its shard
 * is handed back to the queue).
 */
import { parseFlags } from "../lib/parse_flags.ts";
import { cancelOnSignals } from "../pipeline/cancel_on_signals.ts";
import { logger } from "../lib/log.ts";
import { METHOD, type Method } from "../pipeline/method.ts";
import { connectionFromEnv, connectQueue } from "../pipeline/scale/nats_connect.ts";
import { runWorker } from "../pipeline/scale/worker.ts";

export const WORKER_USAGE =
  `usage: capo worker --queue NAME [--max-shards N] [--pull-ms MS] [--retry-ms MS]

Pulls work shards from the NATS JetStream queue NAME (filled by capo queue submit) and runs
each with the capo run flags the queue carries, until every shard is done.
  --queue NAME      the queue
  --max-shards N    stop after N shards (default: until the queue is done)
  --pull-ms MS      how long one pull waits before checking the queue (>= 1000, default 2000)
  --retry-ms MS     delay before a failed shard is delivered again (default 5000)
Environment: CAPO_NATS_URL, and CAPO_NATS_USER + CAPO_NATS_PASSWORD or CAPO_NATS_NKEY_SEED[_FILE].`;

/** `capo worker`, with the method or (tests) another one. */
export async function main(
  args: string[],
  method: Method = METHOD,
): Promise<number> {
  let queue: string, maxShards: number, pullMs: number, retryMs: number;
  try {
    const { values } = parseFlags("capo worker", {
      args,
      options: {
        queue: { type: "string" },
        "max-shards": { type: "string" },
        "pull-ms": { type: "string" },
        "retry-ms": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(WORKER_USAGE);
      return 0;
    }
    // A positive integer, at least `min`; unset keeps the default.
    const int = (flag: "max-shards" | "pull-ms" | "retry-ms", fallback: number, min = 1) => {
      const v = values[flag];
      if (v === undefined) return fallback;
      if (/^\d+$/.test(v) && Number(v) >= min) return Number(v);
      throw new TypeError(
        `Cannot use argument '--${flag}' '${v}': flags are --queue NAME, --max-shards N ` +
          `(N >= 1), --pull-ms MS (MS >= 1000, JetStream's shortest pull), --retry-ms MS (MS >= 1)`,
      );
    };
    maxShards = int("max-shards", Infinity);
    pullMs = int("pull-ms", 2000, 1000);
    retryMs = int("retry-ms", 5000);
    if (values.queue === undefined) throw new TypeError("Cannot start as --queue is required");
    queue = values.queue;
  } catch (err) {
    console.error(`capo worker: ${(err as Error).message}\n\n${WORKER_USAGE}`);
    return 2;
  }
  const log = logger("worker");
  let nc;
  try {
    const conn = connectionFromEnv(undefined, `capo-worker-${hostName()}-${Deno.pid}`);
    nc = await connectQueue(conn);
    log.info(`connected to ${conn.describe}`);
  } catch (err) {
    console.error(`capo worker: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
  const cancel = cancelOnSignals();
  try {
    const r = await runWorker(nc, {
      queue,
      method,
      signal: cancel.signal,
      maxShards,
      pullMs,
      retryDelayMs: retryMs,
    });
    console.log(`worker: ${r.done} shard(s) done, ${r.failed} failed`);
    return r.exit;
  } catch (err) {
    console.error(`capo worker: ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    cancel.dispose();
    await nc.close().catch(() => {});
  }
}

/** The host's name for the connection name (seen in the server's monitoring), if allowed. */
function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "host";
  }
}
