/**
 * `capo worker --queue NAME [--max-shards N] [--pull-ms MS]`: a work-queue worker
 * (pipeline/scale/worker.ts). Credentials and server come from CAPO_NATS_* (pipeline/scale/nats_connect.ts).
 *
 * Exit status: 0 the queue is done, 1 shards were given up or the worker could not connect
 * (wrong credentials included), 2 bad arguments, 130/143 stopped by SIGINT/SIGTERM (its shard
 * is handed back to the queue).
 */
import { cancelOnSignals } from "../pipeline/cancel_on_signals.ts";
import { logger } from "../lib/log.ts";
import { METHOD, type MethodStage } from "../pipeline/method.ts";
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

/** `capo worker`, with the method's stages or (tests) another stage list. */
export async function main(
  args: string[],
  stages: readonly MethodStage[] = METHOD,
): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(WORKER_USAGE);
    return 0;
  }
  let queue: string | null = null;
  let maxShards = Infinity;
  let pullMs = 2000;
  let retryMs = 5000;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const v = args[++i];
    const int = () => (v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : null);
    if (flag === "--queue" && v !== undefined) queue = v;
    else if (flag === "--max-shards" && int() !== null) maxShards = int()!;
    else if (flag === "--pull-ms" && int() !== null && int()! >= 1000) pullMs = int()!;
    else if (flag === "--retry-ms" && int() !== null) retryMs = int()!;
    else {
      console.error(
        `capo worker: Cannot use argument '${flag}'${
          v === undefined ? "" : ` '${v}'`
        }: flags are --queue NAME, --max-shards N (N >= 1), --pull-ms MS (MS >= 1000, ` +
          `JetStream's shortest pull), --retry-ms MS (MS >= 1)\n\n` +
          WORKER_USAGE,
      );
      return 2;
    }
  }
  if (queue === null) {
    console.error(`capo worker: Cannot start as --queue is required\n\n${WORKER_USAGE}`);
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
      stages,
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
