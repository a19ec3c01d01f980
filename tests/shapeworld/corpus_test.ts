import assert from "node:assert/strict";
import { captionOf, corpusItem, isHeldOut, promptSets } from "../../shapeworld/mod.ts";

Deno.test("corpusItem() is deterministic in (seed, index) and independent of order", () => {
  const a = corpusItem(3, 17), b = corpusItem(3, 17);
  assert.deepEqual(a, b);
  corpusItem(3, 5);
  assert.deepEqual(corpusItem(3, 17), a);
  assert.notDeepEqual(corpusItem(4, 17).image, a.image);
  assert.equal(a.image.length, 32 * 32 * 3);
  assert.equal(captionOf(a.meaning), a.caption);
});

Deno.test("corpusItem() draws only train captions, never a held-out combination", () => {
  // The train captions as before the dev split (train and dev): the shipped bases' corpus.
  const train = new Set(promptSets().pool);
  const cats = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const it = corpusItem(1, i);
    assert.ok(train.has(it.caption), it.caption);
    assert.ok(!isHeldOut(it.meaning));
    cats.set(it.meaning.category, (cats.get(it.meaning.category) ?? 0) + 1);
  }
  assert.equal(cats.size, 6, "every category is drawn");
});

Deno.test("corpusItem() refuses a negative or fractional index", () => {
  assert.throws(
    () => corpusItem(1, -1),
    /index must be a non-negative integer: current value is -1/,
  );
  assert.throws(() => corpusItem(1, 1.5), /current value is 1.5/);
});
