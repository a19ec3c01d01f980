/**
 * `RecordSchema`: a named, versioned set of fields with codecs to and from Arrow tables.
 *
 * The Arrow schema carries `capo.schema` and `capo.schema_version` in its metadata, so a shard
 * read back is checked against the definition that wrote it.
 */
import * as arrow from "apache-arrow";
import { arrowType, type FieldDef, type Fields, type RecordOf } from "./field.ts";

export class SchemaMismatchError extends TypeError {}

export class RecordSchema<F extends Fields> {
  readonly name: string;
  readonly version: number;
  readonly fields: F;
  readonly arrow: arrow.Schema;

  constructor(name: string, version: number, fields: F) {
    if (!Number.isInteger(version) || version < 1) {
      throw new RangeError(
        `Cannot construct RecordSchema '${name}' as version must be a positive integer: current value is ${version}`,
      );
    }
    this.name = name;
    this.version = version;
    this.fields = fields;
    const meta = new Map([["capo.schema", name], ["capo.schema_version", String(version)]]);
    this.arrow = new arrow.Schema(
      Object.entries(fields).map(([n, d]) => new arrow.Field(n, arrowType(d.kind), d.nullable)),
      meta,
    );
  }

  /** The column names, in order. */
  get columns(): string[] {
    return Object.keys(this.fields);
  }

  /** Records -> an Arrow table with this schema (throws naming the row and column on a bad value). */
  toTable(rows: readonly RecordOf<F>[]): arrow.Table {
    const children: arrow.Data[] = [];
    for (const field of this.arrow.fields) {
      const def = this.fields[field.name] as FieldDef;
      const values = rows.map((r, i) =>
        encodeValue(def, (r as Record<string, unknown>)[field.name], this.name, field.name, i)
      );
      children.push(arrow.vectorFromArray(values, field.type).data[0]!);
    }
    const struct = arrow.makeData({
      type: new arrow.Struct(this.arrow.fields),
      length: rows.length,
      nullCount: 0,
      children,
    });
    return new arrow.Table(this.arrow, [new arrow.RecordBatch(this.arrow, struct)]);
  }

  /** An Arrow table -> records, after checking the schema name, version and columns. */
  fromTable(table: arrow.Table, source = "table"): RecordOf<F>[] {
    this.check(table.schema, source);
    const cols = this.columns.map((n) => [n, table.getChild(n)!] as const);
    const out: RecordOf<F>[] = new Array(table.numRows);
    for (let i = 0; i < table.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (const [n, col] of cols) row[n] = decodeValue(this.fields[n] as FieldDef, col.get(i));
      out[i] = row as RecordOf<F>;
    }
    return out;
  }

  /** Throws a SchemaMismatchError naming `source` if `schema` was not written by this definition. */
  check(schema: arrow.Schema, source: string): void {
    const name = schema.metadata.get("capo.schema");
    const version = schema.metadata.get("capo.schema_version");
    if (name !== undefined && name !== this.name) {
      throw new SchemaMismatchError(
        `${source}: holds '${name}' records, expected '${this.name}'`,
      );
    }
    if (version !== undefined && Number(version) !== this.version) {
      throw new SchemaMismatchError(
        `${source}: schema '${this.name}' version ${version}, this capo reads version ${this.version}`,
      );
    }
    const have = new Set(schema.fields.map((x) => x.name));
    const missing = this.columns.filter((c) => !have.has(c));
    if (missing.length) {
      throw new SchemaMismatchError(
        `${source}: missing column(s) ${missing.join(", ")} of schema '${this.name}'`,
      );
    }
  }
}

function encodeValue(def: FieldDef, v: unknown, schema: string, col: string, row: number): unknown {
  const bad = (why: string) =>
    new TypeError(
      `Cannot encode ${schema} row ${row} column '${col}' as ${why}: current value is ${
        typeof v === "object" ? JSON.stringify(v)?.slice(0, 80) : String(v)
      }`,
    );
  if (v === null || v === undefined) {
    if (def.nullable) return null;
    throw bad("it is not nullable");
  }
  switch (def.kind) {
    case "utf8":
      if (typeof v !== "string") throw bad("it must be a string");
      return v;
    case "int32":
      if (!Number.isInteger(v) || (v as number) > 2147483647 || (v as number) < -2147483648) {
        throw bad("it must be a 32-bit integer");
      }
      return v;
    case "int64":
      if (!Number.isSafeInteger(v)) throw bad("it must be a safe integer");
      return BigInt(v as number);
    case "float32":
    case "float64":
      if (typeof v !== "number") throw bad("it must be a number");
      return v;
    case "bool":
      if (typeof v !== "boolean") throw bad("it must be a boolean");
      return v;
    case "image": {
      const img = v as { bytes?: unknown; path?: unknown };
      if (!(img.bytes instanceof Uint8Array)) throw bad("image.bytes must be a Uint8Array");
      return { bytes: img.bytes, path: typeof img.path === "string" ? img.path : null };
    }
  }
}

function decodeValue(def: FieldDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (def.kind) {
    case "int64":
      return Number(v as bigint);
    case "image": {
      const s = v as { bytes: Uint8Array | null; path: string | null };
      return { bytes: s.bytes ?? new Uint8Array(), path: s.path ?? null };
    }
    default:
      return v;
  }
}
