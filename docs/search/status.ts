/**
 * Rewrites the status table of docs/search/README.md (between its STATUS markers) from the plans
 * and records: per tuning plan, the points recorded, the point its rule chooses and that point's
 * dev win-rates. Dev only: nothing here was evaluated on the test set.
 *
 *     deno run --allow-read=docs/search,data --allow-write=docs/search docs/search/status.ts
 *     deno fmt docs/search/README.md
 */
import { meanWin, regimeRatio } from "../../pipeline/sweep/sweep_record.ts";
import { readTuning } from "../../pipeline/sweep/tuning.ts";

const pct = (x: number) => (100 * x).toFixed(1);
const rows = [
  "| plan | points | chosen (beta, lr, steps) | aesthetic | alignment | preference | mean | dR_theta / dR_ca |",
  "|---|---:|---|---:|---:|---:|---:|---:|",
];
for (const base of ["eps", "flow"]) {
  for (const loss of ["capo", "dpo", "ipo", "capo-k4", "capo_unbiased", "ipo_unbiased"]) {
    const { points: want, records, chosen: point } = await readTuning(
      `docs/search/${base}-${loss}.json`,
    );
    const rs = point === null
      ? []
      : records.filter((r) => JSON.stringify(r.point) === JSON.stringify(point));
    const avg = (f: (r: (typeof rs)[number]) => number) =>
      rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const cells = point === null
      ? [records.length === 0 ? "not run" : "incomplete", "", "", "", "", ""]
      : [
        Object.values(point).join(", "),
        pct(avg((r) => r.dev.rewards.aesthetic!.win_rate)),
        pct(avg((r) => r.dev.rewards.alignment!.win_rate)),
        pct(avg((r) => r.dev.rewards.preference!.win_rate)),
        pct(avg(meanWin)),
        avg(regimeRatio).toFixed(2),
      ];
    rows.push(`| ${base}-${loss} | ${records.length} / ${want} | ${cells.join(" | ")} |`);
  }
}
const readme = await Deno.readTextFile("docs/search/README.md");
const [head, rest] = readme.split("<!-- STATUS -->");
const tail = rest?.split("<!-- /STATUS -->")[1];
if (head === undefined || tail === undefined) {
  console.error("docs/search/README.md has no <!-- STATUS --> ... <!-- /STATUS --> section");
  Deno.exit(1);
}
await Deno.writeTextFile(
  "docs/search/README.md",
  `${head}<!-- STATUS -->\n\n${rows.join("\n")}\n\n<!-- /STATUS -->${tail}`,
);
console.log(rows.join("\n"));
