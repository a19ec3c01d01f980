import assert from "node:assert/strict";
import { parseFlags } from "../../lib/parse_flags.ts";
import { UsageError } from "../../lib/usage_error.ts";

const options = {
  out: { type: "string", short: "o" },
  stage: { type: "string", multiple: true },
  "no-verify": { type: "boolean" },
} as const;
const parse = (...args: string[]) => parseFlags("capo t", { args, options });

Deno.test("parseFlags() reads long, short, repeated and --flag=value forms", () => {
  const { values } = parse("-o", "x", "--stage", "a", "--stage=b", "--no-verify", "--out=-y");
  assert.deepEqual({ ...values }, { out: "-y", stage: ["a", "b"], "no-verify": true });
});

Deno.test("parseFlags() names the closest flag for a misspelt one and lists them for a positional", () => {
  assert.throws(
    () => parse("--outt", "x"),
    /Cannot use '--outt' as capo t has no such flag: did you mean --out\?/,
  );
  assert.throws(
    () => parse("x"),
    /Cannot use 'x' as capo t has no positional arguments: flags are --out, --stage, --no-verify$/,
  );
});

Deno.test("parseFlags() says which flag lacks its value, or takes none, as a UsageError", () => {
  assert.throws(
    () => parse("--out"),
    (e) => e instanceof UsageError && /^Cannot use --out as it needs a value$/.test(e.message),
  );
  assert.throws(() => parse("-o"), /^UsageError: Cannot use --out as it needs a value$/);
  assert.throws(
    () => parse("--out", "--stage", "a"),
    /--out as it needs a value: the next argument '--stage' starts with a dash, so it is read as a flag \(write --out=--stage if it is the value\)/,
  );
  assert.throws(
    () => parse("--no-verify=yes"),
    /Cannot use '--no-verify=yes' as --no-verify is a switch: it takes no value/,
  );
});
