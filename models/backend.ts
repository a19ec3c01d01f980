/**
 * Pick the fastest tfjs backend available: @tensorflow/tfjs-node-gpu, then
 * @tensorflow/tfjs-node (native TensorFlow, when a user has installed one and mapped it in
 * deno.json), else the bundled wasm backend. `CAPO_TF_BACKEND=wasm` forces wasm. The denoiser
 * trains on onnxruntime (models/trainer.ts); tfjs is its reference and trains the reward models.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { logger } from "../lib/log.ts";

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
    log.info("tfjs backend", { backend: "wasm" });
    return "wasm";
  })();
  return chosen;
}
