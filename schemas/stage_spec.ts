/**
 * The stage contract: how a stage describes itself to the runner.
 *
 * A stage is a `TransformStream<Group<In>, Group<Out>>` (any readable/writable pair) that
 *   1. emits exactly one output group per input group, with the same prompt_id, in input order
 *      (a prompt that yields nothing, e.g. no FRS pair, is a group with `rows: []`);
 *   2. is deterministic given its config and its input (randomness seeded from the config and
 *      the prompt), so a group redone after a crash equals the one lost;
 *   3. throws to fail the run (the runner names the stage and the group's prompt_id).
 * Its output rows are written as Parquet shards with `outputSchema`; `config` is hashed into the
 * checkpoint manifest, so any change to it invalidates the stage's outputs and those after it.
 */
import type * as arrow from "apache-arrow";
import type { Group } from "./mod.ts";
import type { FlowGroup } from "./flow.ts";

/** Rows <-> Arrow tables; `RecordSchema` from schemas/ is one. */
export interface RowCodec<T> {
  readonly name: string;
  readonly version: number;
  readonly columns: string[];
  toTable(rows: readonly T[]): arrow.Table;
  fromTable(table: arrow.Table, source?: string): T[];
}

/** A JSON value: what a stage config may hold, so that it hashes and prints faithfully. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [k: string]: JsonValue;
};

/** What the runner tells a stage when creating it. */
export interface StageContext {
  /** runs/<name> */
  runDir: string;
  /** runs/<name>/<stage>: the stage's shard directory, and where a sink keeps its own state. */
  stageDir: string;
  /** This process's work shard (`--shard index/count`). */
  worker: { index: number; count: number };
  /** Aborted when the run is cancelled (SIGINT/SIGTERM) or fails. */
  signal: AbortSignal;
}

interface Described<Out> {
  /** Directory name under runs/<name>/: lowercase letters, digits, '-' and '_'. */
  readonly name: string;
  /** The Parquet schema of the output rows; must have `prompt_id` and `prompt` columns. */
  readonly outputSchema: RowCodec<Out>;
  /** Everything that determines the output besides the input; hashed into the manifest. */
  readonly config: JsonValue;
}

/**
 * The first stage: produces the prompt groups (input: nothing), only those of `ctx.worker`
 * (the split is the source's, by a stable hash of the prompt id), in a deterministic order.
 */
export interface SourceSpec<Out> extends Described<Out> {
  open(ctx: StageContext): ReadableStream<Group<Out>>;
}

/** A transform stage. */
export interface StageSpec<In, Out> extends Described<Out> {
  /** True if the stage reads `images` (e.g. the scorer); a `--from` restart then hydrates them. */
  readonly needsImages?: boolean;
  create(ctx: StageContext): ReadableWritablePair<Group<Out>, FlowGroup<In>>;
}

/**
 * The end of a run: receives every group of the last stage (with images) and keeps its own
 * state (e.g. the trainer's weights and optimiser checkpoint in `ctx.stageDir`).
 */
export interface SinkSpec<In> {
  readonly name: string;
  readonly config: JsonValue;
  readonly needsImages?: boolean;
  create(ctx: StageContext): WritableStream<FlowGroup<In>>;
}

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** Throws unless `name` can be a stage directory name. */
export function checkStageName(name: string): void {
  if (!NAME.test(name)) {
    throw new TypeError(
      `Cannot use stage name '${name}' as it must match ${NAME} (it names a directory)`,
    );
  }
}

/** Throws unless the schema's rows carry the group key. */
export function checkGroupColumns(stage: string, schema: RowCodec<unknown>): void {
  for (const col of ["prompt_id", "prompt"]) {
    if (!schema.columns.includes(col)) {
      throw new TypeError(
        `Cannot checkpoint stage '${stage}' as its schema '${schema.name}' has no '${col}' column`,
      );
    }
  }
}
