import assert from "node:assert/strict";
import { canonicalJson, hashJson, sha256Hex } from "../../lib/hash.ts";

Deno.test("hashJson() does not depend on key order at any depth", () => {
  const a = { b: 1, a: { y: [1, { q: 2, p: 3 }], x: "s" } };
  const b = { a: { x: "s", y: [1, { p: 3, q: 2 }] }, b: 1 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(hashJson(a), hashJson(b));
  assert.notEqual(hashJson(a), hashJson({ ...b, b: 2 }));
  assert.notEqual(hashJson([1, 2]), hashJson([2, 1])); // array order matters
});

Deno.test("canonicalJson() rejects values JSON cannot carry, naming the key", () => {
  assert.throws(() => canonicalJson({ a: { tau: NaN } }), /config\.a\.tau .* NaN/);
  assert.throws(() => canonicalJson({ a: undefined }), /config\.a .* undefined/);
  assert.throws(() => canonicalJson({ a: [1n] }), /config\.a\[0\]/);
  assert.throws(() => canonicalJson({ d: new Date(0) }), /config\.d/);
});

Deno.test("sha256Hex() matches the known digest of 'abc'", () => {
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), sha256Hex("abc"));
});
