/** Typed checks of JSON values at dotted keys, for the reward manifest. */

/** Checks values at dotted manifest keys; every error names the manifest and the key. */
export class Validator {
  constructor(readonly source: string) {}

  fail(key: string, expected: string, value: unknown): never {
    const shown = typeof value === "string" ? `'${value}'` : JSON.stringify(value) ?? String(value);
    throw new TypeError(
      `Cannot read reward manifest '${this.source}' as ${
        key || "the top level"
      } must be ${expected}: current value is ${shown}`,
    );
  }

  object(x: unknown, key: string, allowed: readonly string[]): Record<string, unknown> {
    if (typeof x !== "object" || x === null || Array.isArray(x)) this.fail(key, "an object", x);
    for (const k of Object.keys(x)) {
      if (!allowed.includes(k)) {
        this.fail(
          key ? `${key}.${k}` : k,
          `absent (unknown key; allowed: ${allowed.join(", ")})`,
          "present",
        );
      }
    }
    return x as Record<string, unknown>;
  }

  string(x: unknown, key: string): string {
    if (typeof x !== "string" || x === "") this.fail(key, "a non-empty string", x);
    return x;
  }

  boolean(x: unknown, key: string): boolean {
    if (typeof x !== "boolean") this.fail(key, "true or false", x);
    return x;
  }

  number(
    x: unknown,
    key: string,
    ok: (n: number) => boolean = () => true,
    what = "a number",
  ): number {
    if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) this.fail(key, what, x);
    return x;
  }

  numbers(
    x: unknown,
    key: string,
    length: number,
    ok: (n: number) => boolean = () => true,
    what = "numbers",
  ): number[] {
    if (!Array.isArray(x) || x.length !== length) this.fail(key, `a list of ${length} ${what}`, x);
    return x.map((e) => this.number(e, key, ok, `a list of ${length} ${what}`));
  }

  strings(x: unknown, key: string): string[] {
    if (!Array.isArray(x) || !x.every((w) => typeof w === "string")) {
      this.fail(key, "a list of strings or a file name", x);
    }
    return x;
  }

  oneOf<const T extends readonly (string | number)[]>(
    x: unknown,
    key: string,
    allowed: T,
  ): T[number] {
    if (!allowed.includes(x as T[number])) {
      this.fail(
        key,
        `one of ${allowed.map((a) => typeof a === "string" ? `'${a}'` : a).join(", ")}`,
        x,
      );
    }
    return x as T[number];
  }
}
