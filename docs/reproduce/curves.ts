/**
 * The over-optimisation curves (issue #15, claim c) from the curve records of
 * docs/search/curve_plans.ts (`capo sweep docs/search/curve-<base>-<loss>-<reward>.json`): per
 * base, one panel per metric (the three rewards' and ShapeEval's dev win-rate against the base)
 * against the training step, one thick line per loss (the mean over its training seeds) over a
 * faint line per seed (the seed band). Writes docs/reproduce/curves_<base>_<reward>.png.
 *
 *     deno run --allow-read=docs --allow-write=docs/reproduce docs/reproduce/curves.ts
 */
import { figurePng, type LinePanel, PALETTE } from "../../pipeline/report/plot.ts";
import { readRecords, type SweepRecord } from "../../pipeline/sweep/sweep_record.ts";

const LOSSES = ["dpo", "ipo", "capo"];
const METRICS = ["aesthetic", "alignment", "preference", "shapeeval"];

const files = [...Deno.readDirSync("docs/search")]
  .map((e) => e.name)
  .filter((n) => /^curve-.*\.jsonl$/.test(n))
  .sort();
const byFigure = new Map<string, SweepRecord[]>();
for (const f of files) {
  for (const r of await readRecords(`docs/search/${f}`)) {
    const cfg = r.config as { train: { loss: string }; select: { reward: string | null } };
    const base = f.split("-")[1]!;
    const key = `${base}_${cfg.select.reward}`;
    byFigure.set(key, [...(byFigure.get(key) ?? []), r]);
  }
}
const value = (r: SweepRecord, step: number, metric: string) => {
  const c = r.curve?.find((p) => p.step === step);
  if (!c) return null;
  const w = metric === "shapeeval" ? c.shapeeval : c.rewards[metric];
  return w ? 100 * w.win_rate : null;
};
for (const [key, records] of byFigure) {
  const panels: LinePanel[] = METRICS.map((metric) => ({
    kind: "lines",
    title: metric,
    xLabel: "training step",
    yLabel: "dev win-rate vs base (%)",
    refLine: { y: 50 },
    legend: "below",
    series: LOSSES.flatMap((loss, i) => {
      const mine = records.filter((r) => (r.config.train as { loss: string }).loss === loss);
      if (mine.length === 0) return [];
      const steps = [...new Set(mine.flatMap((r) => r.curve?.map((p) => p.step) ?? []))]
        .sort((a, b) => a - b);
      const colour = PALETTE[i % PALETTE.length]!;
      const seeds = mine.map((r) => ({
        label: `${loss} seed ${r.seed}`,
        x: steps,
        y: steps.map((s) => value(r, s, metric)),
        colour,
        width: 1,
        alpha: 0.35,
        hideLegend: true,
      }));
      const mean = steps.map((s) => {
        const ys = mine.map((r) => value(r, s, metric)).filter((y): y is number => y !== null);
        return ys.length === 0 ? null : ys.reduce((a, b) => a + b, 0) / ys.length;
      });
      return [...seeds, {
        label: `${loss} (${mine.length} seeds)`,
        x: steps,
        y: mean,
        colour,
        width: 3,
      }];
    }),
  }));
  const [base, reward] = key.split("_");
  const out = `docs/reproduce/curves_${key}.png`;
  await Deno.writeFile(
    out,
    figurePng({
      columns: 4,
      panels,
      title: `${base} base, trained on ${reward} alone: dev win-rate against the step`,
    }),
  );
  console.log(`${records.length} curves -> ${out}`);
}
if (byFigure.size === 0) console.log("no curve records in docs/search/ yet");
