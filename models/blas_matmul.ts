/**
 * tfjs-wasm's BatchMatMul through a native BLAS (OpenBLAS `cblas_sgemm`, one thread), called
 * with Deno FFI on the wasm heap in place: no copies, same kernel contract, so every matMul
 * of training (forward and the gradients' matMuls, models/nn/matmul.ts) runs at BLAS speed.
 *
 * Why: the wasm build is single-threaded 128-bit SIMD; on this machine's AVX-512 cores
 * OpenBLAS multiplies the denoiser's [3072 x 96] x [96 x 288] blocks 10-50x faster. The wasm
 * kernel stays registered as the fallback for anything this one does not handle (non-float32,
 * a batch broadcast other than 1-to-many), and the whole swap is skipped, with a log line,
 * when no OpenBLAS library can be opened or FFI is not allowed. `CAPO_BLAS=0` turns it off.
 *
 * Notation: C[i] = op(A[i]) x op(B[i]) for batch i, op = transpose or not; A [.., M, K],
 * B [.., K, N], C [.., M, N] in row-major order.
 */
import * as tf from "@tensorflow/tfjs";
import { logger } from "../lib/log.ts";

const log = logger("tfjs");

/** Where Debian/Ubuntu and most distributions put OpenBLAS (the pthread or serial build). */
export const OPENBLAS_PATHS = [
  "libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib64/libopenblas.so.0",
  "libopenblas.dylib",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
];

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
} as const;

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

type Sgemm = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"]["cblas_sgemm"];

/** The sgemm of the first OpenBLAS that opens, set to one thread; null if none. */
export function openBlas(paths: readonly string[] = OPENBLAS_PATHS): {
  sgemm: Sgemm;
  path: string;
} | null {
  for (const path of paths) {
    try {
      const lib = Deno.dlopen(path, SYMBOLS);
      // One thread: the pipeline parallelises across processes, and results stay
      // deterministic (a resumed training run reaches the same weights).
      lib.symbols.openblas_set_num_threads(1);
      return { sgemm: lib.symbols.cblas_sgemm, path };
    } catch {
      // not here, or FFI not allowed: try the next
    }
  }
  return null;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The BatchMatMul kernel function over `sgemm`; `fallback` handles what it does not. */
export function blasBatchMatMul(sgemm: Sgemm, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length, rb = b.shape.length;
    if (a.dtype !== "float32" || b.dtype !== "float32" || ra < 2 || rb < 2) return fallback(args);
    const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const Kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = size(outerA), batchB = size(outerB);
    if (K !== Kb || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return fallback(args);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    if (size(outer) !== Math.max(batchA, batchB)) return fallback(args);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput([...outer, M, N], "float32");
    // Views after makeOutput: its allocation may grow (and so move) the wasm heap.
    const A = backend.typedArrayFromHeap(a), B = backend.typedArrayFromHeap(b);
    const C = backend.typedArrayFromHeap(out);
    if (M === 0 || N === 0) return out;
    if (K === 0) {
      C.fill(0);
      return out;
    }
    const batch = Math.max(batchA, batchB);
    const lda = transposeA ? M : K, ldb = transposeB ? K : N;
    const ta = transposeA ? TRANS : NO_TRANS, tb = transposeB ? TRANS : NO_TRANS;
    for (let i = 0; i < batch; i++) {
      const ia = batchA === 1 ? 0 : i, ib = batchB === 1 ? 0 : i;
      sgemm(
        ROW_MAJOR,
        ta,
        tb,
        M,
        N,
        K,
        1,
        A.subarray(ia * M * K, (ia + 1) * M * K),
        lda,
        B.subarray(ib * K * N, (ib + 1) * K * N),
        ldb,
        0,
        C.subarray(i * M * N, (i + 1) * M * N),
        N,
      );
    }
    return out;
  };
}

function envBlas(): string | undefined {
  try {
    return Deno.env.get("CAPO_BLAS");
  } catch {
    return undefined;
  }
}

let installed: string | null = null;

/** Whether wasm's BatchMatMul runs through OpenBLAS in this process. */
export function blasMatMulActive(): boolean {
  return installed !== null && tf.getBackend() === "wasm";
}

/**
 * Routes wasm's BatchMatMul through OpenBLAS when one can be opened; returns its path, or null
 * (wasm's own kernel stays). Idempotent. Call after the wasm backend is ready.
 */
export function useBlasMatMul(paths: readonly string[] = OPENBLAS_PATHS): string | null {
  if (installed !== null) return installed;
  if (envBlas() === "0") return null;
  const wasm = tf.getKernel("BatchMatMul", "wasm");
  if (!wasm) return null;
  const blas = openBlas(paths);
  if (!blas) {
    log.info(
      "no OpenBLAS found: tfjs-wasm matMul (apt-get install libopenblas0 for ~3x faster training)",
    );
    return null;
  }
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel({
    ...wasm,
    kernelFunc: blasBatchMatMul(blas.sgemm, wasm.kernelFunc),
  });
  installed = blas.path;
  log.info("tfjs-wasm matMul through OpenBLAS", { library: blas.path });
  return installed;
}
