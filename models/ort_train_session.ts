/**
 * A training graph (models/train_graph.ts) on onnxruntime-node: one `run` is one forward and
 * backward pass, returning the loss, the flat gradient and the graph's extra outputs.
 *
 * Threads: intra-op threads default to the machine's cores (navigator.hardwareConcurrency),
 * one inter-op thread, sequential execution. onnxruntime partitions each kernel's work by
 * output rows/columns, so on the same machine and thread count a step gives the same bits
 * every time, which exact resume relies on.
 */
import * as ort from "onnxruntime-node";
import type { TrainingGraph } from "./train_graph.ts";
import type { ParamLayout } from "./flat_params.ts";

export interface TrainSessionOptions {
  /** Intra-op threads; null: one per core (navigator.hardwareConcurrency). @default {null} */
  threads?: number | null;
}

/** The cores of this machine (at least 1). */
export function defaultThreads(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/** Checks a `threads` option: null or a positive integer. */
export function resolveThreads(threads: number | null | undefined): number {
  if (threads === null || threads === undefined) return defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(
      `Cannot use threads as it must be null (one per core) or an integer >= 1: current value ` +
        `is ${threads}`,
    );
  }
  return threads;
}

export interface TrainRun {
  loss: number;
  /** dL/dparams, in the layout of the params. */
  grad: Float32Array;
  /** The graph's extra outputs by name. */
  extras: Record<string, Float32Array>;
}

export class OrtTrainSession {
  readonly layout: ParamLayout;
  readonly threads: number;
  #session: ort.InferenceSession;
  #fetches: string[];

  private constructor(
    graph: TrainingGraph,
    session: ort.InferenceSession,
    threads: number,
  ) {
    this.layout = graph.layout;
    this.threads = threads;
    this.#session = session;
    this.#fetches = ["loss", "grad", ...graph.extras];
  }

  static async create(
    graph: TrainingGraph,
    opts: TrainSessionOptions = {},
  ): Promise<OrtTrainSession> {
    const threads = resolveThreads(opts.threads);
    const session = await ort.InferenceSession.create(graph.bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    return new OrtTrainSession(graph, session, threads);
  }

  /** One forward + backward pass at `params` on the data `feeds` (name -> [data, dims]). */
  async run(
    params: Float32Array,
    feeds: Record<string, [Float32Array | Int32Array, number[]]>,
  ): Promise<TrainRun> {
    const inputs: Record<string, ort.Tensor> = {
      params: new ort.Tensor("float32", params, [params.length]),
    };
    for (const [name, [data, dims]] of Object.entries(feeds)) {
      inputs[name] = data instanceof Int32Array
        ? new ort.Tensor("int32", data, dims)
        : new ort.Tensor("float32", data, dims);
    }
    const out = await this.#session.run(inputs);
    const extras: Record<string, Float32Array> = {};
    for (const name of this.#fetches.slice(2)) extras[name] = out[name]!.data as Float32Array;
    return {
      loss: (out.loss!.data as Float32Array)[0]!,
      grad: out.grad!.data as Float32Array,
      extras,
    };
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
