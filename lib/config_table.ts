/**
 * Declarative config tables. Each key is declared once, with its type (which gives its allowed
 * range), its default, what it means and why the default is what it is; one generic `merge`
 * validates a JSON value against a table, and `flagPatch` turns `--section.key=value` into the
 * same JSON, so a flag and a `--config` file are checked by the same code and read the same way:
 *
 *     Cannot use config key 'train.beta' (--config x.json) as it must be a number > 0:
 *     current value is -1
 *
 * The TypeScript type of a section is derived from its table (`ValuesOf`), so the options type a
 * stage takes is its config section, with one name per key from JSON to the object.
 */
import { closest } from "./closest.ts";

/** Where a value came from: "defaults", "--config x.json", "--train.beta". */
export type Where = string;

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** `Cannot use config key 'k' (where) as it must be <want>: current value is <v>`. */
export function badKey(key: string, where: Where, want: string, v: unknown): TypeError {
  return new TypeError(
    `Cannot use config key '${key}' (${where}) as it must be ${want}: current value is ${show(v)}`,
  );
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const BAD: unique symbol = Symbol("bad value");

/** A value type: what it accepts, how to say so, and how a command-line string becomes JSON. */
export interface Type<T> {
  /** What the type accepts, for errors: "an integer >= 1". */
  readonly want: string;
  /** The (copied) value if `v` is acceptable, else BAD. */
  readonly accept: (v: unknown) => T | typeof BAD;
  /** A flag's text as the JSON value it stands for ("8" -> 8, "null" -> null). */
  readonly fromText: (text: string) => unknown;
  /** For a container: the first bad entry of a rejected value, as [key suffix, want, value]. */
  readonly badPart?: (v: unknown) => [string, string, unknown] | null;
}

/** One declared key. */
export interface Key<T> {
  readonly kind: "key";
  readonly type: Type<T>;
  readonly default: T;
  /** What the key means. */
  readonly doc: string;
  /** Why the default is what it is. */
  readonly why: string;
}

/** A section: keys and nested sections. */
export interface Table {
  readonly [key: string]: Key<unknown> | Table;
}

/** The values a table declares, with their types. */
export type ValuesOf<T extends Table> = {
  -readonly [K in keyof T]: T[K] extends Key<infer V> ? V
    : T[K] extends Table ? ValuesOf<T[K]>
    : never;
};

/** Declares a key: its type, default, meaning and the reason for the default. */
export function key<T>(type: Type<T>, value: T, doc: string, why: string): Key<T> {
  const ok = type.accept(value);
  if (ok === BAD) {
    throw new TypeError(`Cannot declare a key whose default ${show(value)} is not ${type.want}`);
  }
  return { kind: "key", type, default: value, doc, why };
}

function isKey(v: Key<unknown> | Table): v is Key<unknown> {
  return (v as Key<unknown>).kind === "key";
}

const numberText = (t: string): unknown => {
  const x = Number(t);
  return t.trim() !== "" && Number.isFinite(x) ? x : t;
};

const jsonText = (t: string): unknown => {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
};

/** A safe integer in [min, max]. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER): Type<number> {
  const want = max === Number.MAX_SAFE_INTEGER
    ? `an integer >= ${min}`
    : `an integer in [${min}, ${max}]`;
  return {
    want,
    accept: (v) =>
      Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? v as number : BAD,
    fromText: numberText,
  };
}

/** A finite number within the given bounds (each optional). */
export function num(bounds: { gt?: number; ge?: number; lt?: number; le?: number } = {}): Type<
  number
> {
  const { gt, ge, lt, le } = bounds;
  const lo = gt !== undefined ? `(${gt}` : ge !== undefined ? `[${ge}` : null;
  const hi = lt !== undefined ? `${lt})` : le !== undefined ? `${le}]` : null;
  const want = lo && hi
    ? `in ${lo}, ${hi}`
    : lo
    ? `a number ${gt !== undefined ? ">" : ">="} ${gt ?? ge}`
    : hi
    ? `a number ${lt !== undefined ? "<" : "<="} ${lt ?? le}`
    : "a finite number";
  return {
    want,
    accept: (v) =>
      typeof v === "number" && Number.isFinite(v) &&
        (gt === undefined || v > gt) && (ge === undefined || v >= ge) &&
        (lt === undefined || v < lt) && (le === undefined || v <= le)
        ? v
        : BAD,
    fromText: numberText,
  };
}

/** true or false. */
export const bool: Type<boolean> = {
  want: "true or false",
  accept: (v) => typeof v === "boolean" ? v : BAD,
  fromText: (t) => t === "true" ? true : t === "false" ? false : t,
};

/** A non-empty string (matching `pattern` if given); `want` says what it names. */
export function text(want = "a non-empty string", pattern?: RegExp): Type<string> {
  return {
    want,
    accept: (v) => typeof v === "string" && v !== "" && (!pattern || pattern.test(v)) ? v : BAD,
    fromText: (t) => t,
  };
}

/** One of a closed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Type<T> {
  return {
    want: `one of ${values.map((a) => `'${a}'`).join(", ")}`,
    accept: (v) => (values as readonly unknown[]).includes(v) ? v as T : BAD,
    fromText: (t) => t,
  };
}

/** `inner` or null (`null` on the command line). */
export function orNull<T>(inner: Type<T>): Type<T | null> {
  return {
    want: `null or ${inner.want}`,
    accept: (v) => v === null ? null : inner.accept(v),
    fromText: (t) => t === "null" ? null : inner.fromText(t),
    ...(inner.badPart ? { badPart: inner.badPart } : {}),
  };
}

/** A list of `inner` values (a JSON array, or comma-separated on the command line). */
export function list<T>(inner: Type<T>, opts: { nonEmpty?: boolean } = {}): Type<T[]> {
  return {
    want: `${opts.nonEmpty ? "a non-empty" : "a"} list of ${inner.want.replace(/^an? /, "")}s`,
    accept: (v) => {
      if (!Array.isArray(v) || (opts.nonEmpty && v.length === 0)) return BAD;
      const out: T[] = [];
      for (const x of v) {
        const y = inner.accept(x);
        if (y === BAD) return BAD;
        out.push(y);
      }
      return out;
    },
    fromText: (t) =>
      t.startsWith("[") ? jsonText(t) : t === "" ? [] : t.split(",").map(inner.fromText),
    badPart: (v) => {
      if (!Array.isArray(v)) return null;
      const i = v.findIndex((x) => inner.accept(x) === BAD);
      return i < 0 ? null : [`[${i}]`, inner.want, v[i]];
    },
  };
}

/** An object {name: value} (JSON on the command line). */
export function record<T>(inner: Type<T>, opts: { nonEmpty?: boolean } = {}): Type<
  Record<string, T>
> {
  return {
    want: `an object {name: ${inner.want}}${opts.nonEmpty ? " with at least one entry" : ""}`,
    accept: (v) => {
      if (!isObject(v) || (opts.nonEmpty && Object.keys(v).length === 0)) return BAD;
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) {
        const y = inner.accept(x);
        if (y === BAD) return BAD;
        out[k] = y;
      }
      return out;
    },
    fromText: jsonText,
    badPart: (v) => {
      if (!isObject(v)) return null;
      const bad = Object.entries(v).find(([, x]) => inner.accept(x) === BAD);
      return bad ? [`.${bad[0]}`, inner.want, bad[1]] : null;
    },
  };
}

/** A type of its own: `parse` returns the value or undefined when `v` is not acceptable. */
export function custom<T>(
  want: string,
  parse: (v: unknown) => T | undefined,
  fromText: (t: string) => unknown = (t) => t,
): Type<T> {
  return {
    want,
    accept: (v) => {
      const y = parse(v);
      return y === undefined ? BAD : y;
    },
    fromText,
  };
}

/** The defaults of a table. */
export function defaultsOf<T extends Table>(table: T): ValuesOf<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(table)) {
    out[k] = isKey(v) ? structuredClone(v.default) : defaultsOf(v);
  }
  return out as ValuesOf<T>;
}

function unknownKey(key: string, where: Where, known: readonly string[]): TypeError {
  const near = closest(key, known);
  return new TypeError(
    `Cannot use config key '${key}' (${where}) as it is not a known key${
      near ? ` (did you mean '${near}'?)` : ""
    }: known keys are ${known.join(", ")}`,
  );
}

/**
 * `raw` (parsed JSON, any subset of the table's keys) over `base`; throws naming the first
 * unknown key or bad value, with `where` it came from. `prefix` names the section in errors.
 */
export function merge<T extends Table>(
  table: T,
  base: ValuesOf<T>,
  raw: unknown,
  where: Where,
  prefix = "",
): ValuesOf<T> {
  if (!isObject(raw)) {
    throw badKey(
      prefix === "" ? "(root)" : prefix.slice(0, -1),
      where,
      prefix === "" ? "a JSON object" : "an object",
      raw,
    );
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    const decl = table[k];
    if (decl === undefined) {
      throw unknownKey(prefix + k, where, Object.keys(table).map((x) => prefix + x));
    }
    if (isKey(decl)) {
      const y = decl.type.accept(v);
      if (y === BAD) {
        const part = decl.type.badPart?.(v);
        if (part) throw badKey(prefix + k + part[0], where, part[1], part[2]);
        throw badKey(prefix + k, where, decl.type.want, v);
      }
      out[k] = y;
    } else {
      out[k] = merge(
        decl,
        (base as Record<string, unknown>)[k] as ValuesOf<Table>,
        v,
        where,
        `${prefix + k}.`,
      );
    }
  }
  return out as ValuesOf<T>;
}

/** Every key of a table as [dotted name, declaration], depth first. */
export function keysOf(table: Table, prefix = ""): [string, Key<unknown>][] {
  return Object.entries(table).flatMap(([k, v]) =>
    isKey(v) ? [[prefix + k, v] as [string, Key<unknown>]] : keysOf(v, `${prefix + k}.`)
  );
}

/**
 * The JSON patch a `--a.b=value` flag stands for, the text converted as key a.b's type reads
 * command-line text; the patch is then checked by `merge` like a --config file's.
 */
export function flagPatch(table: Table, dotted: string, value: string): Record<string, unknown> {
  const path = dotted.split(".");
  let t: Table = table;
  for (const [i, part] of path.entries()) {
    const decl = t[part];
    const here = path.slice(0, i).join(".");
    if (decl === undefined) {
      const known = Object.keys(t).map((x) => (here ? `${here}.` : "") + x);
      throw unknownKey(dotted, `--${dotted}`, known);
    }
    if (isKey(decl)) {
      if (i !== path.length - 1) {
        throw unknownKey(dotted, `--${dotted}`, [path.slice(0, i + 1).join(".")]);
      }
      let patch: unknown = decl.type.fromText(value);
      for (const p of path.slice().reverse()) patch = { [p]: patch };
      return patch as Record<string, unknown>;
    }
    t = decl;
  }
  throw new TypeError(
    `Cannot use --${dotted} as it names a section, not a key: its keys are ${
      keysOf(t, `${dotted}.`).map(([k]) => k).join(", ")
    }`,
  );
}

/** `capo <cmd> --help` lines: every key with its type, default, meaning and reason. */
export function describeTable(table: Table): string {
  return keysOf(table).map(([k, d]) =>
    `  --${k}  (${d.type.want}; default ${show(d.default)})\n      ${d.doc}${
      d.why ? `; default: ${d.why}` : ""
    }`
  ).join("\n");
}
