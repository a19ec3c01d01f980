/**
 * Every environment variable capo reads, in one place: `deno.json` grants its tasks
 * `--allow-env` to exactly these (tests/deno_json_test.ts compares the two and scans the source
 * for reads of a variable missing here). A read of any other variable is refused by Deno.
 */
export const ENV_VARS: Readonly<Record<string, string>> = {
  // lib/log.ts
  CAPO_LOG: "log level: debug, info (default), warn, error",
  CAPO_LOG_FORMAT: "json or text (default: text on a terminal, JSON lines otherwise)",
  CAPO_DEBUG: "print stack traces of errors (cli/)",
  // pipeline/scale/shard_env.ts: the work shard of a Slurm array or a Kubernetes Indexed Job
  CAPO_SHARD: "this worker's work shard, i/n",
  CAPO_SHARD_COUNT: "n, beside a Kubernetes Indexed Job's JOB_COMPLETION_INDEX",
  JOB_COMPLETION_INDEX: "Kubernetes Indexed Job: this pod's index",
  SLURM_ARRAY_TASK_ID: "Slurm array: this task's id",
  SLURM_ARRAY_TASK_COUNT: "Slurm array: the number of tasks",
  SLURM_ARRAY_TASK_MIN: "Slurm array: the first id",
  SLURM_ARRAY_TASK_STEP: "Slurm array: the id step",
  // pipeline/scale/nats_connect.ts, nats_tls.ts: the work queue
  CAPO_NATS_URL: "NATS server(s), comma-separated (default nats://127.0.0.1:4222)",
  CAPO_NATS_USER: "queue user",
  CAPO_NATS_PASSWORD: "queue password",
  CAPO_NATS_NKEY_SEED: "queue nkey user seed",
  CAPO_NATS_NKEY_SEED_FILE: "file holding the nkey seed",
  CAPO_NATS_TLS_CA: "CA file of the NATS server's certificate",
  CAPO_NATS_TLS_CERT: "client certificate for a server that verifies them",
  CAPO_NATS_TLS_KEY: "the client certificate's key",
  // cli/launch.ts: where `deno task worker` may write (the queue carries each shard's flags)
  CAPO_RUNS_DIR: "the runs folder a worker writes to (default runs)",
  // models/backend.ts: tfjs (the reward models' training)
  CAPO_TF_BACKEND: "wasm: do not try @tensorflow/tfjs-node",
};

/** The `--allow-env=` list of capo's tasks. */
export function envPermission(): string {
  return Object.keys(ENV_VARS).join(",");
}
