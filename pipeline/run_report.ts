/** What a run did, per stage, and its one-line summary. */
import { DISK_FULL_ADVICE, DiskFullError, isDiskFull } from "../lib/disk_full.ts";

export interface StageReport {
  stage: string;
  /** 'ran': computed or reused groups; 'read': the start, read back from its shards; 'untouched'. */
  role: "ran" | "read" | "untouched";
  computed: number;
  reused: number;
  /** Computed groups dropped with the open shard (cancel or failure). */
  dropped: number;
  shardsWritten: number;
  /** Groups and shards in the stage's manifest after the run (what a restart keeps). */
  groupsDone: number;
  shardsKept: number;
  /** Shards dropped by the recovery policy (checksum failed or missing). */
  quarantined: number;
  complete: boolean;
}

export interface RunResult {
  status: "done" | "cancelled" | "failed";
  stages: StageReport[];
  /** Groups that reached the end of the chain (the sink). */
  groupsOut: number;
  error?: Error;
  /** The abort reason of a cancelled run, e.g. "SIGINT". */
  reason?: string;
  /** One line: what was done and kept. */
  summary: string;
}

export function summarize(
  status: RunResult["status"],
  reports: StageReport[],
  groupsOut: number,
  reason: string | undefined,
  error: Error | undefined,
): string {
  const parts = reports.filter((r) => r.role !== "untouched").map((r) => {
    if (r.role === "read") {
      return `${r.stage} ${r.groupsDone} groups read from ${r.shardsKept} shards`;
    }
    const run = [`${r.computed} computed`, `${r.reused} reused`];
    if (r.dropped) run.push(`${r.dropped} dropped with the open shard`);
    if (r.quarantined) run.push(`${r.quarantined} bad shard(s) quarantined and redone`);
    return `${r.stage} ${r.groupsDone} groups in ${r.shardsKept} shards` +
      `${r.complete ? "" : " (incomplete)"} [${run.join(", ")}]`;
  });
  const head = status === "done"
    ? `run done, ${groupsOut} groups out`
    : status === "cancelled"
    ? `cancelled by ${reason}: completed shards kept, open shards dropped`
    : `failed: ${error?.message ?? "unknown error"}${diskFullAdvice(error)}`;
  return parts.length ? `${head}; ${parts.join("; ")}` : head;
}

/**
 * A full disk that did not come through an atomic write (which says it already, as a
 * DiskFullError) still gets the advice: nothing completed is lost, free space and rerun.
 */
function diskFullAdvice(error: Error | undefined): string {
  if (!isDiskFull(error)) return "";
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof DiskFullError) return "";
  }
  return ` (disk full: ${DISK_FULL_ADVICE})`;
}
