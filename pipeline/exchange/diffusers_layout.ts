/**
 * Pairs in the column layout of diffusers' Diffusion-DPO training scripts
 * (`examples/research_projects/diffusion_dpo/train_diffusion_dpo[_sdxl].py`, which read
 * Pick-a-Pic v2's columns), so an SDXL user can train on capo's pairs:
 *
 * | column    | type    | meaning                                                            |
 * | --------- | ------- | ------------------------------------------------------------------ |
 * | caption   | string  | the prompt                                                         |
 * | jpg_0     | binary  | image bytes of x+ (the winner); PNG, which PIL opens like a JPEG   |
 * | jpg_1     | binary  | image bytes of x- (the loser)                                      |
 * | label_0   | float64 | 1.0: jpg_0 is preferred (the scripts swap the pair when it is 0)   |
 * | delta     | float64 | dR_ca = Rca(x+) - Rca(x-), the regression target (method.md §4.5)  |
 * | pair_id, prompt_id, method | string | where the pair came from                          |
 *
 * The scripts read only caption, jpg_0, jpg_1 and label_0; the other columns ride along.
 */
import * as arrow from "apache-arrow";
import type { SampleImages } from "./sample_images.ts";

const PAIR_COLUMNS = ["pair_id", "prompt_id", "prompt", "winner_id", "loser_id", "delta", "method"];

/** The columns of the layout, in order. */
export const DIFFUSERS_COLUMNS = [
  "caption",
  "jpg_0",
  "jpg_1",
  "label_0",
  "delta",
  "pair_id",
  "prompt_id",
  "method",
];

/** A table of Pair rows -> the diffusers layout, with the images looked up in `images`. */
export async function diffusersTable(
  pairs: arrow.Table,
  images: SampleImages,
  source: string,
): Promise<arrow.Table> {
  const col = (name: string) => {
    const c = pairs.getChild(name);
    if (c === null) {
      throw new TypeError(
        `Cannot export ${source} in the diffusers layout as it has no '${name}' column ` +
          `(Pair columns needed: ${PAIR_COLUMNS.join(", ")})`,
      );
    }
    return c;
  };
  const [pairId, promptId, prompt, winner, loser, delta, method] = PAIR_COLUMNS.map(col);
  const n = pairs.numRows;
  const jpg0: Uint8Array[] = new Array(n);
  const jpg1: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = String(promptId!.get(i));
    jpg0[i] = await images.get(p, String(winner!.get(i)));
    jpg1[i] = await images.get(p, String(loser!.get(i)));
  }
  const utf8 = (v: arrow.Vector) =>
    arrow.vectorFromArray(v.toArray() as string[], new arrow.Utf8());
  const table = new arrow.Table({
    caption: utf8(prompt!),
    jpg_0: arrow.vectorFromArray(jpg0, new arrow.Binary()),
    jpg_1: arrow.vectorFromArray(jpg1, new arrow.Binary()),
    label_0: arrow.vectorFromArray(new Float64Array(n).fill(1)),
    delta: arrow.vectorFromArray(Float64Array.from(delta!.toArray() as ArrayLike<number>)),
    pair_id: utf8(pairId!),
    prompt_id: utf8(promptId!),
    method: utf8(method!),
  });
  const schema = new arrow.Schema(
    table.schema.fields,
    new Map([["capo.layout", "diffusers-dpo"]]),
  );
  return new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
}
