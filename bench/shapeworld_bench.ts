/**
 * ShapeWorld throughput: renders, layouts, corpus items, ShapeEval judgements and PNG coding
 * per second, on one core. Run alone with `deno run -A bench/shapeworld_bench.ts`, or from
 * bench/mod.ts through `benchShapeworld()`.
 */
import {
  addGaussianNoise,
  corpusItem,
  decodePng,
  encodePng,
  evaluateImage,
  layoutFor,
  loadPrompts,
  parseCaption,
  renderScene,
} from "../shapeworld/mod.ts";
import { Rng } from "../lib/rng.ts";

/** Calls per second of `fn` over at least `minMs` milliseconds, after `warmMs` of warm-up. */
function rate(fn: (i: number) => void, minMs = 1000, warmMs = 300): number {
  // Warm up long enough for the JIT to reach its optimised code, or the first rows read low.
  const w0 = performance.now();
  for (let i = 0; performance.now() - w0 < warmMs; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let k = 0; k < 100; k++) fn(n++);
    t = performance.now();
  }
  return (n / (t - t0)) * 1000;
}

export function benchShapeworld(): Promise<void> {
  const prompts = loadPrompts("eval");
  const meanings = prompts.map(parseCaption);
  const scenes = meanings.map((m, i) => layoutFor(m, Rng.derive(1, i)));
  const images = scenes.map(renderScene);
  const rng = new Rng(2);
  const noisy = images.map((img) => addGaussianNoise(img, 20, rng));
  const pngs = images.map((img) => encodePng(img, 32, 32));
  const P = prompts.length;
  const rows: [string, number][] = [
    ["renderScene (render only)", rate((i) => renderScene(scenes[i % P]!))],
    [
      "layoutFor + renderScene",
      rate((i) => renderScene(layoutFor(meanings[i % P]!, Rng.derive(3, i)))),
    ],
    ["corpusItem", rate((i) => corpusItem(7, i))],
    [
      "ShapeEval evaluateImage (clean)",
      rate((i) => evaluateImage(prompts[i % P]!, images[i % P]!)),
    ],
    [
      "ShapeEval evaluateImage (noise 20)",
      rate((i) => evaluateImage(prompts[i % P]!, noisy[i % P]!)),
    ],
    ["encodePng 32x32", rate((i) => encodePng(images[i % P]!, 32, 32))],
    ["decodePng 32x32", rate((i) => decodePng(pngs[i % P]!))],
  ];
  console.log("## ShapeWorld (per second, one core)\n");
  console.log("| operation | per second |\n|---|---:|");
  for (const [name, r] of rows) console.log(`| ${name} | ${Math.round(r)} |`);
  return Promise.resolve();
}

if (import.meta.main) await benchShapeworld();
