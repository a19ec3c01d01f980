import assert from "node:assert/strict";
import { NULL, PAD, Tokenizer, UNK } from "../../models/tokenizer.ts";
import { loadPrompts, VOCABULARY } from "../../shapeworld/mod.ts";

Deno.test("Tokenizer maps words to ids after the three specials and pads to maxTokens", () => {
  const tok = new Tokenizer(["a", "red", "circle"], 5);
  const e = tok.encode("A red, circle");
  assert.deepEqual([...e.ids], [3, 4, 5, PAD, PAD]);
  assert.deepEqual(e.unknown, []);
  assert.equal(tok.vocabSize, 6);
});

Deno.test("Tokenizer reports unknown words once each and encodes them as <unk>", () => {
  const tok = new Tokenizer(["a", "red", "circle"], 6);
  const e = tok.encode("a zebra red zebra unicorn");
  assert.deepEqual([...e.ids], [3, UNK, 4, UNK, UNK, PAD]);
  assert.deepEqual(e.unknown, ["zebra", "unicorn"]);
});

Deno.test("Tokenizer does not let a prompt spell a special token", () => {
  const tok = new Tokenizer(["a"], 3);
  const e = tok.encode("<null> <pad>");
  assert.deepEqual(e.unknown, ["null", "pad"]);
  assert.deepEqual([...e.ids], [UNK, UNK, PAD]);
});

Deno.test("Tokenizer encodes the empty prompt as the null prompt and counts truncation", () => {
  const tok = new Tokenizer(["a"], 2);
  assert.deepEqual([...tok.encode("  ").ids], [NULL, PAD]);
  assert.deepEqual(tok.nullIds(), tok.encode("").ids);
  assert.equal(tok.encode("a a a").truncated, 1);
});

Deno.test("every ShapeWorld train and eval prompt fits in 16 tokens without unknown words", () => {
  const tok = new Tokenizer(VOCABULARY, 16);
  for (const p of [...loadPrompts("train"), ...loadPrompts("eval")]) {
    const e = tok.encode(p);
    assert.deepEqual(e.unknown, [], p);
    assert.equal(e.truncated, 0, p);
  }
});
