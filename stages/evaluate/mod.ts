/**
 * Evaluation of a fine-tuned model against its base (docs/method.md §6): win-rate per reward with
 * ties counting half and a bootstrap interval over prompts, mean rewards, ShapeEval's table.
 *
 * From the trainer sink:  `trainerSink(cfg.train, { afterTraining: evaluationHook(cfg.evaluate) })`
 * From the CLI:           `capo evaluate --base DIR --tuned DIR [--out DIR]`
 */
export * from "./win_rate.ts";
export * from "./bootstrap.ts";
export * from "./compare_models.ts";
export * from "./eval_options.ts";
export * from "./eval_inputs.ts";
export * from "./eval_report.ts";
export * from "./run_eval.ts";
