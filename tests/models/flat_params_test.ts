import assert from "node:assert/strict";
import { ParamLayout } from "../../models/flat_params.ts";
import type { ParamSpec } from "../../models/nn/params.ts";

const SPECS: ParamSpec[] = [
  { name: "a.weight", shape: [2, 3], init: { kind: "zeros" }, decay: true },
  { name: "a.bias", shape: [3], init: { kind: "zeros" }, decay: false },
  { name: "b", shape: [1], init: { kind: "zeros" }, decay: true },
];

Deno.test("ParamLayout packs in spec order and unpacks to copies", () => {
  const layout = new ParamLayout(SPECS);
  assert.deepEqual(layout.offsets, [0, 6, 9, 10]);
  const values = new Map([
    ["b", Float32Array.from([9])],
    ["a.bias", Float32Array.from([6, 7, 8])],
    ["a.weight", Float32Array.from([0, 1, 2, 3, 4, 5])],
  ]);
  const flat = layout.pack(values);
  assert.deepEqual([...flat], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const back = layout.unpack(flat);
  assert.deepEqual(back, values);
  flat[0] = 42;
  assert.equal(back.get("a.weight")![0], 0, "unpack copies");
});

Deno.test("ParamLayout names the tensor of a flat index and the decay mask follows the specs", () => {
  const layout = new ParamLayout(SPECS);
  assert.deepEqual([0, 5, 6, 8, 9].map((i) => layout.nameAt(i)), [
    "a.weight",
    "a.weight",
    "a.bias",
    "a.bias",
    "b",
  ]);
  assert.deepEqual([...ParamLayout.decayMask(SPECS)], [1, 1, 1, 1, 1, 1, 0, 0, 0, 1]);
});

Deno.test("ParamLayout refuses a missing or mis-sized tensor, naming it", () => {
  const layout = new ParamLayout(SPECS);
  assert.throws(
    () => layout.pack(new Map([["a.weight", new Float32Array(6)], ["b", new Float32Array(1)]])),
    /'a.bias' must have 3 values: current value is missing/,
  );
  assert.throws(
    () =>
      layout.pack(
        new Map([
          ["a.weight", new Float32Array(5)],
          ["a.bias", new Float32Array(3)],
          ["b", new Float32Array(1)],
        ]),
      ),
    /'a.weight' must have 6 values: current value is 5/,
  );
});
