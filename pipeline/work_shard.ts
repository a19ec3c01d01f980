/**
 * Work shards for scale-out (docs/method.md §7): prompts are split by a stable hash of their
 * prompt_id, so `--shard i/n` on n workers (a Slurm array, a Kubernetes Indexed Job) covers every
 * prompt exactly once without any coordination between the workers. The source does the split
 * (the prompt source's `shard` option); each worker keeps its own manifests and shard files
 * (`manifest.w<i>of<n>.json`, `part-w<i>of<n>-*.parquet`) in the same stage directories.
 */

export interface WorkShard {
  /** 0-based index of this worker. */
  index: number;
  /** Number of workers. */
  count: number;
}

/** Parses `i/n` (0 <= i < n); throws a RangeError naming the value otherwise. */
export function parseWorkShard(text: string): WorkShard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new RangeError(
      `Cannot use --shard as it must be 'i/n' with 0 <= i < n: current value is '${text}'`,
    );
  }
  return { index, count };
}
