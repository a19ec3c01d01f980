/**
 * Pick the fastest tfjs backend available: @tensorflow/tfjs-node-gpu, then
 * @tensorflow/tfjs-node (native TensorFlow, when a user has installed one and mapped it in
 * deno.json), else the bundled wasm backend, with its matMul through OpenBLAS when one is
 * installed (models/blas_matmul.ts; `CAPO_BLAS=0` keeps wasm's). `CAPO_TF_BACKEND=wasm` forces
 * wasm (e.g. to resume a run bit-exactly on the backend it started on).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { logger } from "../lib/log.ts";
import { useBlasMatMul } from "./blas_matmul.ts";

const log = logger("tfjs");
let chosen: Promise<string> | null = null;

async function tryNative(pkg: string): Promise<boolean> {
  try {
    // A computed specifier keeps the optional package out of static module resolution.
    const spec = [pkg][0]!;
    await import(spec);
    return tf.findBackend("tensorflow") !== null && (await tf.setBackend("tensorflow"));
  } catch {
    return false;
  }
}

function envBackend(): string | undefined {
  try {
    return Deno.env.get("CAPO_TF_BACKEND");
  } catch {
    return undefined;
  }
}

/** Initialise once; returns the backend name ("tensorflow" or "wasm"). */
export function initBackend(): Promise<string> {
  chosen ??= (async () => {
    if (envBackend() !== "wasm") {
      for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
        if (await tryNative(pkg)) {
          log.info("tfjs backend", { backend: "tensorflow", package: pkg });
          return "tensorflow";
        }
      }
    }
    await tf.setBackend("wasm");
    await tf.ready();
    // matMul through OpenBLAS where one is installed (models/blas_matmul.ts): ~2x per step.
    const blas = useBlasMatMul();
    log.info("tfjs backend", { backend: "wasm", matmul: blas ?? "wasm" });
    return "wasm";
  })();
  return chosen;
}
