/**
 * ShapeWorld and ShapeEval (docs/method.md §8): the project's embedded default world.
 *
 * Everything here is dependency-free (no npm imports). Reading samples from folders and Parquet
 * files lives in `./sample_files.ts`, imported directly, as it pulls in parquet-wasm and arrow.
 */
export * from "./vocab.ts";
export * from "./meaning.ts";
export * from "./grammar.ts";
export * from "./relation.ts";
export * from "./heldout.ts";
export * from "./scene.ts";
export * from "./render.ts";
export * from "./prompts.ts";
export * from "./corpus.ts";
export * from "../lib/png.ts";
export * from "./detect.ts";
export * from "./evaluate.ts";
export * from "./font.ts";
export * from "./contact_sheet.ts";
export * from "./degrade.ts";
export * from "./robustness.ts";
export * from "./shape_fit.ts";
