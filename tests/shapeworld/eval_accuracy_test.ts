import assert from "node:assert/strict";
import {
  CATEGORIES,
  evalTable,
  evaluateImage,
  layoutFor,
  loadPrompts,
  parseCaption,
  renderScene,
  robustnessCurve,
} from "../../shapeworld/mod.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("ShapeEval scores >= 0.98 overall and per category on clean renders of every eval prompt", () => {
  const results = loadPrompts("eval").map((caption, i) =>
    evaluateImage(caption, renderScene(layoutFor(parseCaption(caption), Rng.derive(99, i))))
  );
  const table = evalTable(results);
  assert.ok(table.overall >= 0.98, JSON.stringify(table));
  for (const c of CATEGORIES) assert.ok(table[c]! >= 0.98, `${c}: ${table[c]}`);
});

Deno.test("ShapeEval stays accurate under moderate noise and blur, and degrades under heavy", () => {
  const prompts = loadPrompts("eval").slice(0, 120);
  const rows = robustnessCurve({ prompts, noise: [20, 90], blur: [1, 3], seed: 4 });
  const at = (kind: string, level: number) =>
    rows.find((r) => r.kind === kind && r.level === level)!.table.overall;
  assert.ok(at("noise", 20) >= 0.97, `noise 20: ${at("noise", 20)}`);
  assert.ok(at("blur", 1) >= 0.97, `blur 1: ${at("blur", 1)}`);
  // Heavy degradation must hurt: the evaluator is not blind to the image.
  assert.ok(at("noise", 90) < 0.8, `noise 90: ${at("noise", 90)}`);
  assert.ok(at("blur", 3) < 0.8, `blur 3: ${at("blur", 3)}`);
});
