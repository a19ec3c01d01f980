/**
 * The work shard from the environment of a batch scheduler, so one job definition serves every
 * task of an array (docs/method.md §7: "a shard is the unit of work for an existing distributed
 * engine"):
 *
 * | engine                     | index                                                | count                      |
 * | -------------------------- | ---------------------------------------------------- | -------------------------- |
 * | any                        | `CAPO_SHARD=i/n`                                     | (in the same value)        |
 * | Slurm job array            | `(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP` | `SLURM_ARRAY_TASK_COUNT` |
 * | Kubernetes Indexed Job     | `JOB_COMPLETION_INDEX`                               | `CAPO_SHARD_COUNT`         |
 *
 * Slurm arrays may start at 1 (`--array=1-8`) or step (`--array=0-14:2`), so the index is the
 * task's position in the array, not its raw id. Kubernetes does not expose `completions` to the
 * pod, so the Job sets `CAPO_SHARD_COUNT` to the same number.
 *
 * An explicit `--shard i/n` flag always wins over the environment.
 */
import { parseWorkShard, type WorkShard } from "../work_shard.ts";

/** A shard and the variables it was read from (for the log line). */
export interface EnvShard {
  shard: WorkShard;
  /** e.g. "SLURM_ARRAY_TASK_ID=3 of SLURM_ARRAY_TASK_COUNT=8" */
  source: string;
}

type Env = (name: string) => string | undefined;

/** Reads a variable, treating a missing `--allow-env` like an unset variable. */
export function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function integer(env: Env, name: string, min: number): number {
  const raw = env(name);
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw) || Number(raw) < min) {
    throw new RangeError(
      `Cannot take the work shard from the environment as ${name} must be an integer >= ${min}: ` +
        `current value is ${raw === undefined ? "unset" : `'${raw}'`}`,
    );
  }
  return Number(raw);
}

function checked(index: number, count: number, source: string): EnvShard {
  if (index >= count) {
    throw new RangeError(
      `Cannot take the work shard from the environment as the index must be below the count: ` +
        `current value is ${index}/${count} (${source})`,
    );
  }
  return { shard: { index, count }, source };
}

/** The work shard the environment describes, or null when it describes none. */
export function shardFromEnv(env: Env = denoEnv): EnvShard | null {
  const explicit = env("CAPO_SHARD");
  if (explicit !== undefined && explicit !== "") {
    return { shard: parseWorkShard(explicit), source: `CAPO_SHARD=${explicit}` };
  }
  if (env("SLURM_ARRAY_TASK_ID") !== undefined) {
    const id = integer(env, "SLURM_ARRAY_TASK_ID", 0);
    const count = integer(env, "SLURM_ARRAY_TASK_COUNT", 1);
    const min = env("SLURM_ARRAY_TASK_MIN") === undefined
      ? 0
      : integer(env, "SLURM_ARRAY_TASK_MIN", 0);
    const step = env("SLURM_ARRAY_TASK_STEP") === undefined
      ? 1
      : integer(env, "SLURM_ARRAY_TASK_STEP", 1);
    if (id < min || (id - min) % step !== 0) {
      throw new RangeError(
        `Cannot take the work shard from the environment as SLURM_ARRAY_TASK_ID=${id} is not ` +
          `in the array ${min}, ${min + step}, ... (SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP)`,
      );
    }
    return checked(
      (id - min) / step,
      count,
      `SLURM_ARRAY_TASK_ID=${id} of SLURM_ARRAY_TASK_COUNT=${count}`,
    );
  }
  if (env("JOB_COMPLETION_INDEX") !== undefined) {
    const index = integer(env, "JOB_COMPLETION_INDEX", 0);
    if (env("CAPO_SHARD_COUNT") === undefined) {
      throw new RangeError(
        `Cannot take the work shard from the environment as JOB_COMPLETION_INDEX=${index} is set ` +
          `but CAPO_SHARD_COUNT is not: set it to the Job's spec.completions`,
      );
    }
    const count = integer(env, "CAPO_SHARD_COUNT", 1);
    return checked(index, count, `JOB_COMPLETION_INDEX=${index} of CAPO_SHARD_COUNT=${count}`);
  }
  return null;
}

/**
 * `args` with `--shard i/n` from the environment put first, so an explicit `--shard` later in
 * `args` still wins (flags apply left to right). Returns the args unchanged when the environment
 * names no shard.
 */
export function withShardFromEnv(
  args: readonly string[],
  env: Env = denoEnv,
): { args: string[]; from: EnvShard | null } {
  const hasFlag = args.some((a) => a === "--shard" || a.startsWith("--shard="));
  const from = hasFlag ? null : shardFromEnv(env);
  if (from === null) return { args: [...args], from: null };
  return { args: ["--shard", `${from.shard.index}/${from.shard.count}`, ...args], from };
}
