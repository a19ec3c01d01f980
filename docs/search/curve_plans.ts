/**
 * Writes the over-optimisation curve plans (issue #15, claim c) from the tuning records: for each
 * base and each of the paper's losses whose tuning plan (docs/search/<base>-<loss>.json) is fully
 * recorded, the beta and lr its rule chose, trained on one reward's single-reward pairs for 8x the
 * default run's steps (the same range for every loss), a snapshot every default-run steps (8
 * checkpoints), 3 training seeds, every checkpoint evaluated on dev (`capo sweep <plan>`,
 * curve: true). A loss not fully tuned yet is
 * reported and skipped: a curve needs its loss's tuned settings.
 *
 *     deno run --allow-read=docs/search --allow-write=docs/search docs/search/curve_plans.ts [reward]
 */
import { readTuning } from "../../pipeline/sweep/tuning.ts";
import { DEFAULTS } from "../../pipeline/config.ts";

const reward = Deno.args[0] ?? "aesthetic";
const MULTIPLE = 8;
// The default run's steps: one FRS pair per prompt, epochs passes of batch_pairs.
const STEPS = Math.ceil(
  DEFAULTS.train.epochs * (DEFAULTS.prompts.limit ?? 0) / DEFAULTS.train.batch_pairs,
);
for (const base of ["eps", "flow"]) {
  for (const loss of ["dpo", "ipo", "capo"]) {
    const name = `${base}-${loss}`;
    const { plan, points: want, records, chosen: point } = await readTuning(
      `docs/search/${name}.json`,
    );
    if (point === null) {
      console.log(`${name}: ${records.length} of ${want} points recorded, not tuned yet: skipped`);
      continue;
    }
    const train: Record<string, unknown> = { ...(plan.config.train ?? {}) };
    for (const [k, v] of Object.entries(point)) train[k.split(".")[1]!] = v;
    const tunedSteps = train.max_steps as number;
    const curve = {
      name: `curve-${name}-${reward}`,
      shared: plan.shared,
      record: `docs/search/curve-${name}-${reward}.jsonl`,
      note: `Over-optimisation curve (issue #15, claim c), not a search: ${loss} on the ${base} ` +
        `base with its tuned settings (${JSON.stringify(point)}, the rule's choice in ` +
        `${plan.record}; it chose ${tunedSteps} steps), trained on ${reward}'s single-reward pairs ` +
        `for ${MULTIPLE}x the default run's ${STEPS} steps, every ${STEPS} steps evaluated on ` +
        "dev. Nothing is chosen from it.",
      config: {
        ...plan.config,
        select: { method: "single", reward },
        train: { ...train, max_steps: MULTIPLE * STEPS, snapshot_every: STEPS },
      },
      grid: {},
      seeds: 3,
      curve: true,
    };
    const out = `docs/search/curve-${name}-${reward}.json`;
    await Deno.writeTextFile(out, JSON.stringify(curve, null, 2) + "\n");
    console.log(`${name}: ${out} (${MULTIPLE * STEPS} steps, snapshot every ${STEPS})`);
  }
}
