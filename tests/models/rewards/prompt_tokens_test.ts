import assert from "node:assert/strict";
import { Tokenizer } from "../../../models/tokenizer.ts";
import { VOCABULARY } from "../../../shapeworld/vocab.ts";
import { PromptTokens } from "../../../models/rewards/prompt_tokens.ts";
import type { PromptInputSpec } from "../../../models/rewards/reward_manifest.ts";

const spec = (over: Partial<PromptInputSpec>): PromptInputSpec => ({
  name: "tokens",
  kind: "tokens",
  vocab: ["<pad>", "<unk>", "<null>", "a", "red", "circle"],
  max_len: 4,
  pad_id: 0,
  unk_id: 1,
  empty_id: 2,
  lowercase: true,
  dtype: "int32",
  ...over,
});

Deno.test("PromptTokens lowercases, maps unknown words, truncates, pads and marks empty prompts", () => {
  const { data, dims } = new PromptTokens(spec({})).encode([
    "A RED circle!",
    "a big red circle here",
    "",
  ]);
  assert.deepEqual(dims, [3, 4]);
  assert.deepEqual([...data], [3, 4, 5, 0, 3, 1, 4, 5, 2, 0, 0, 0]);
  const cased = new PromptTokens(spec({ lowercase: false, empty_id: null, dtype: "int64" })).encode(
    ["A red", ""],
  );
  assert.deepEqual([...cased.data], [1n, 4n, 0n, 0n, 0n, 0n, 0n, 0n]);
});

Deno.test("PromptTokens with the diffusion tokenizer's words gives its ids on ShapeWorld prompts", async () => {
  const tok = new Tokenizer(VOCABULARY, 16);
  const pt = new PromptTokens(spec({ vocab: [...tok.words], max_len: 16 }));
  const prompts =
    (await Deno.readTextFile(new URL("../../../data/prompts/eval.txt", import.meta.url)))
      .split("\n").filter((l) => l !== "");
  prompts.push("", "a mauve blob");
  const { data } = pt.encode(prompts);
  prompts.forEach((p, b) =>
    assert.deepEqual([...data.subarray(b * 16, b * 16 + 16)], [...tok.encode(p).ids], p)
  );
});
