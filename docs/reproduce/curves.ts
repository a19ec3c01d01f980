/**
 * The over-optimisation curves (issue #15, claim c) from the curve records of
 * docs/search/curve_plans.ts (`capo sweep docs/search/curve-<base>-<loss>-<reward>.json`): per
 * base, one panel per metric (the three rewards' and ShapeEval's dev win-rate against the base)
 * against the training step, one thick line per loss (the mean over its training seeds) over a
 * faint line per seed (the seed band). Writes docs/reproduce/curves_<base>_<reward>.png, and
 * docs/reproduce/curves.md: per figure, each loss's win-rates at the default run's step count and at
 * the last step (seed mean and range), and the reading PREREGISTRATION.md fixed for claim (c).
 *
 *     deno run --allow-read=docs --allow-write=docs/reproduce docs/reproduce/curves.ts
 *     deno fmt docs/reproduce/curves.md
 */
import { figurePng, type LinePanel, PALETTE } from "../../pipeline/report/plot.ts";
import { readRecords, type SweepRecord } from "../../pipeline/sweep/sweep_record.ts";

const LOSSES = ["dpo", "ipo", "capo"];
const METRICS = ["aesthetic", "alignment", "preference", "shapeeval"];
/** The default run's step count: the curves run to 8x it. */
const DEFAULT_STEPS = 128;
/** PREREGISTRATION.md reads claim (c) off 3 or more training seeds per loss. */
const MIN_SEEDS = 3;

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
/** A figure's records split by loss, in LOSSES order. */
const byLoss = (records: SweepRecord[]) =>
  new Map(
    LOSSES.map((l) => [l, records.filter((r) => (r.config.train as { loss: string }).loss === l)]),
  );
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
    series: [...byLoss(records)].flatMap(([loss, mine], i) => {
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

/** Seed mean and range of one loss's win-rate at one step; null where a seed lacks the step. */
function band(records: SweepRecord[], step: number, metric: string) {
  const ys = records.map((r) => value(r, step, metric));
  if (ys.length === 0 || ys.some((y) => y === null)) return null;
  const v = ys as number[];
  return {
    mean: v.reduce((a, b) => a + b, 0) / v.length,
    low: Math.min(...v),
    high: Math.max(...v),
  };
}
const fmt = (b: ReturnType<typeof band>) =>
  b ? `${b.mean.toFixed(1)} [${b.low.toFixed(1)}, ${b.high.toFixed(1)}]` : "–";

const md: string[] = [
  "# Over-optimisation curves: the numbers behind the plots (dev, exploratory)",
  "",
  "Written by `docs/reproduce/curves.ts` from docs/search/curve-*.jsonl. Dev win-rate against the",
  "base, %, as the training-seed mean [lowest seed, highest seed]. The reading is the one",
  "PREREGISTRATION.md fixed for claim (c): CaPO over-optimises less if, at the last step, its",
  "off-target rewards and ShapeEval are further above (or less far below) the base than DPO's and",
  "IPO's, with non-overlapping seed bands.",
];
for (const [key, records] of [...byFigure].sort(([a], [b]) => a.localeCompare(b))) {
  const [base, reward] = key.split("_");
  const losses = byLoss(records);
  const last = Math.max(...records.flatMap((r) => r.curve?.map((p) => p.step) ?? [0]));
  md.push("", `## ${base} base, trained on ${reward}`, "");
  md.push(`| loss | seeds | step | ${METRICS.join(" | ")} |`);
  md.push(`| --- | ---: | ---: |${METRICS.map(() => " --- |").join("")}`);
  for (const [loss, mine] of losses) {
    for (const step of [DEFAULT_STEPS, last]) {
      const cells = METRICS.map((m) => fmt(band(mine, step, m)));
      md.push(`| ${loss} | ${mine.length} | ${step} | ${cells.join(" | ")} |`);
    }
  }
  const offTarget = METRICS.filter((m) => m !== reward);
  const complete = LOSSES.every((l) =>
    losses.get(l)!.length >= MIN_SEEDS && band(losses.get(l)!, last, offTarget[0]!) !== null
  );
  md.push("");
  if (!complete) {
    md.push(
      `Reading: not yet made; it needs ${MIN_SEEDS} training seeds of every loss at step ${last}.`,
    );
    continue;
  }
  const capo = losses.get("capo")!;
  const lines = offTarget.flatMap((m) =>
    ["dpo", "ipo"].map((other) => {
      const c = band(capo, last, m)!;
      const o = band(losses.get(other)!, last, m)!;
      const verdict = c.low > o.high
        ? "CaPO above, bands apart"
        : c.high < o.low
        ? "CaPO below, bands apart"
        : "bands overlap";
      return { m, other, verdict };
    })
  );
  for (const l of lines) md.push(`- ${l.m}, CaPO vs ${l.other.toUpperCase()}: ${l.verdict}`);
  const holds = lines.every((l) => l.verdict === "CaPO above, bands apart");
  md.push(
    "",
    `Reading at step ${last}: ${
      holds
        ? "CaPO over-optimises less (every off-target metric above DPO's and IPO's, bands apart)."
        : "the pre-registered reading does not find that CaPO over-optimises less."
    }`,
  );
}
await Deno.writeTextFile("docs/reproduce/curves.md", md.join("\n") + "\n");
console.log("numbers and reading -> docs/reproduce/curves.md");
