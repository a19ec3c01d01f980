import assert from "node:assert/strict";
import {
  bool,
  defaultsOf,
  describeTable,
  flagPatch,
  int,
  key,
  list,
  merge,
  num,
  oneOf,
  orNull,
  record,
  text,
} from "../../lib/config_table.ts";

const TABLE = {
  name: key(text("a name", /^[a-z]+$/), "run", "The run's name", "short"),
  inner: {
    n: key(int(2), 16, "Samples per prompt", "the paper's N"),
    rate: key(num({ gt: 0, lt: 1 }), 0.5, "A rate", "the middle"),
    mode: key(oneOf(["a", "b"]), "a", "A mode", "the first"),
    limit: key(orNull(int(1)), null, "A limit", "none"),
    on: key(bool, true, "A switch", "on"),
    paths: key(orNull(list(text("a path"), { nonEmpty: true })), null, "Paths", "none"),
    tau: key(record(num({ gt: 0 })), {}, "Temperatures", "none"),
  },
};

Deno.test("defaultsOf() gives every key's default, nested, and copies containers", () => {
  const d = defaultsOf(TABLE);
  assert.deepEqual(d, {
    name: "run",
    inner: { n: 16, rate: 0.5, mode: "a", limit: null, on: true, paths: null, tau: {} },
  });
  d.inner.tau.x = 1;
  assert.deepEqual(defaultsOf(TABLE).inner.tau, {});
});

Deno.test("merge() applies a partial patch and keeps the other keys", () => {
  const out = merge(TABLE, defaultsOf(TABLE), { inner: { n: 4, tau: { a: 2 } } }, "test");
  assert.deepEqual(out.inner, { ...defaultsOf(TABLE).inner, n: 4, tau: { a: 2 } });
  assert.equal(out.name, "run");
});

Deno.test("merge() names the key, where it came from, what it must be and the value", () => {
  const bad: [unknown, RegExp][] = [
    [{ inner: { n: 1 } }, /'inner\.n' \(f\) as it must be an integer >= 2: current value is 1$/],
    [{ inner: { n: 2.5 } }, /'inner\.n' .* integer >= 2/],
    [{ inner: { rate: 1 } }, /'inner\.rate' .* in \(0, 1\): current value is 1/],
    [{ inner: { mode: "c" } }, /'inner\.mode' .* one of 'a', 'b': current value is "c"/],
    [{ inner: { limit: 0 } }, /'inner\.limit' .* null or an integer >= 1/],
    [{ inner: { on: "yes" } }, /'inner\.on' .* true or false/],
    [{ inner: { paths: [] } }, /'inner\.paths' .* null or a non-empty list of paths/],
    [{ inner: { paths: ["a", 3] } }, /'inner\.paths\[1\]' .* a path: current value is 3/],
    [{ inner: { tau: { a: 0 } } }, /'inner\.tau\.a' .* a number > 0: current value is 0/],
    [{ name: "Run1" }, /'name' .* a name: current value is "Run1"/],
    [{ inner: 3 }, /'inner' \(f\) as it must be an object/],
    [[], /'\(root\)' \(f\) as it must be a JSON object/],
    [
      { inner: { nn: 3 } },
      /'inner\.nn' \(f\) as it is not a known key \(did you mean 'inner\.n'\?\)/,
    ],
  ];
  for (const [raw, re] of bad) assert.throws(() => merge(TABLE, defaultsOf(TABLE), raw, "f"), re);
});

Deno.test("flagPatch() reads a flag's text as its key's type, for merge() to check", () => {
  assert.deepEqual(flagPatch(TABLE, "inner.n", "8"), { inner: { n: 8 } });
  assert.deepEqual(flagPatch(TABLE, "inner.limit", "null"), { inner: { limit: null } });
  assert.deepEqual(flagPatch(TABLE, "inner.on", "false"), { inner: { on: false } });
  assert.deepEqual(flagPatch(TABLE, "inner.paths", "a.json,b.json"), {
    inner: { paths: ["a.json", "b.json"] },
  });
  assert.deepEqual(flagPatch(TABLE, "inner.tau", '{"a": 0.2}'), { inner: { tau: { a: 0.2 } } });
  // Text that is not the type stays text, so merge() names it as the bad value.
  assert.deepEqual(flagPatch(TABLE, "inner.n", "eight"), { inner: { n: "eight" } });
  assert.throws(
    () => merge(TABLE, defaultsOf(TABLE), flagPatch(TABLE, "inner.n", "eight"), "--inner.n"),
    /'inner\.n' \(--inner\.n\) as it must be an integer >= 2: current value is "eight"/,
  );
  assert.throws(() => flagPatch(TABLE, "inner.x", "1"), /'inner\.x' .* not a known key/);
  assert.throws(() => flagPatch(TABLE, "inner", "1"), /names a section, not a key: its keys are/);
});

Deno.test("key() refuses a default its own type rejects", () => {
  assert.throws(() => key(int(1), 0, "x", "y"), /default 0 is not an integer >= 1/);
});

Deno.test("describeTable() lists every key with its type, default, meaning and reason", () => {
  const text = describeTable(TABLE);
  assert.match(
    text,
    /--inner\.n {2}\(an integer >= 2; default 16\)\n {6}Samples per prompt; default: the paper's N/,
  );
  assert.equal(text.match(/^ {2}--/gm)?.length, 8);
});
