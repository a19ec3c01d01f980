/**
 * Preference fine-tuning (docs/method.md §5): CaPO, DPO and IPO losses on the implicit reward gap,
 * the trainer sink that ends a run, and the SOUP baseline.
 *
 * For the run:    `trainerSink(config.train, hooks)` (the `train` section, trainer_options.ts)
 * Programmatic:   `fineTune({ options, base, reference, data, dir, staleDir })`
 * SOUP:           `soupModels(["runs/a/train", "runs/b/train"], "runs/soup")`
 */
export * from "./losses.ts";
export * from "./loss_kinds.ts";
export * from "./implicit_reward.ts";
export * from "./weighting.ts";
export * from "./lr_schedule.ts";
export * from "./metrics.ts";
export * from "./trainer_options.ts";
export * from "./pair_data.ts";
export * from "./data_order.ts";
export * from "./reference.ts";
export * from "./pair_noise.ts";
export * from "./preference_graph.ts";
export * from "./preference_trainer.ts";
export * from "./finetune_checkpoint.ts";
export * from "./fine_tune.ts";
export * from "./trainer_sink.ts";
export * from "./soup.ts";
