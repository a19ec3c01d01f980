import assert from "node:assert/strict";
import {
  captionOf,
  CATEGORIES,
  enumerateCategory,
  type Meaning,
  parseCaption,
  VOCABULARY,
} from "../../shapeworld/mod.ts";

Deno.test("parseCaption() reads one example of every category", () => {
  const cases: [string, Meaning][] = [
    ["a circle", { category: "single_object", object: { shape: "circle" } }],
    ["a small triangle", {
      category: "single_object",
      object: { shape: "triangle", size: "small" },
    }],
    ["a red circle", { category: "colors", object: { shape: "circle", colour: "red" } }],
    ["three green triangles", {
      category: "counting",
      count: 3,
      object: { shape: "triangle", colour: "green" },
    }],
    ["one large square", {
      category: "counting",
      count: 1,
      object: { shape: "square", size: "large" },
    }],
    ["a circle and a small square", {
      category: "two_object",
      objects: [{ shape: "circle" }, { shape: "square", size: "small" }],
    }],
    ["a red circle and a blue square", {
      category: "color_attr",
      objects: [{ shape: "circle", colour: "red" }, { shape: "square", colour: "blue" }],
    }],
    ["a yellow square to the left of a purple circle", {
      category: "position",
      relation: "left of",
      objects: [{ shape: "square", colour: "yellow" }, { shape: "circle", colour: "purple" }],
    }],
    ["a square above a circle", {
      category: "position",
      relation: "above",
      objects: [{ shape: "square" }, { shape: "circle" }],
    }],
    ["a large cyan triangle to the right of a square", {
      category: "position",
      relation: "right of",
      objects: [{ shape: "triangle", colour: "cyan", size: "large" }, { shape: "square" }],
    }],
    ["a circle below a triangle", {
      category: "position",
      relation: "below",
      objects: [{ shape: "circle" }, { shape: "triangle" }],
    }],
  ];
  for (const [text, meaning] of cases) {
    assert.deepEqual(parseCaption(text), meaning, text);
    assert.equal(captionOf(meaning), text);
  }
});

Deno.test("captionOf() and parseCaption() round-trip every meaning of the grammar", () => {
  let n = 0;
  for (const c of CATEGORIES) {
    for (const m of enumerateCategory(c)) {
      const text = captionOf(m);
      assert.deepEqual(parseCaption(text), m, text);
      n++;
    }
  }
  assert.ok(n > 15000, `grammar has ${n} meanings`);
});

Deno.test("parseCaption() rejects text outside the grammar with 'cannot evaluate: <why>'", () => {
  const bad: [string, RegExp][] = [
    ["", /empty/],
    ["a dog", /"dog"/],
    ["A red circle", /lowercase/],
    ["a red circle.", /punctuation/],
    ["a  red circle", /single spaces/],
    ["a red red circle", /"red"/],
    ["a circles", /plural/],
    ["five circles", /"five"/],
    ["two circle", /plural shape/],
    ["a red large circle", /"large" is out of place/],
    ["a red circle and a square", /colour for both or for neither/],
    ["a circle and a circle", /number word/],
    ["a red circle above a red circle", /relation cannot be checked/],
    ["a circle to the left of", /an object is missing/],
    ["circle", /must start with "a"/],
    ["a circle and", /an object is missing/],
  ];
  for (const [text, why] of bad) {
    assert.throws(() => parseCaption(text), (err: Error) => {
      assert.match(err.message, /^cannot evaluate: /, text);
      assert.match(err.message, why, text);
      return true;
    });
  }
});

Deno.test("captionOf() refuses a meaning its category cannot express", () => {
  assert.throws(
    () => captionOf({ category: "single_object", object: { shape: "circle", colour: "red" } }),
    /reads as category colors/,
  );
  assert.throws(
    () =>
      captionOf({
        category: "color_attr",
        objects: [{ shape: "circle", colour: "red" }, { shape: "square" }],
      }),
    /outside the grammar/,
  );
});

Deno.test("VOCABULARY is sorted, unique and covers every word of every caption", () => {
  assert.deepEqual([...VOCABULARY], [...new Set(VOCABULARY)].sort());
  const vocab = new Set(VOCABULARY);
  const used = new Set<string>();
  for (const c of CATEGORIES) {
    for (const m of enumerateCategory(c)) {
      for (const w of captionOf(m).split(" ")) {
        assert.ok(vocab.has(w), w);
        used.add(w);
      }
    }
  }
  assert.equal(used.size, vocab.size, "every vocabulary word is used by some caption");
});
