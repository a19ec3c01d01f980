/**
 * Field kinds for capo's record schemas: one definition gives both the TypeScript type of a
 * record and its Arrow schema (as apache-arrow's `Schema<T>` does for its tables).
 *
 * A closed set of kinds; adding one is one entry in `FieldKinds` and one case in `arrowType`.
 */
import * as arrow from "apache-arrow";

/** Hugging Face `datasets`' Image feature layout: PNG/JPEG bytes and an optional path. */
export interface ImageValue {
  bytes: Uint8Array;
  path: string | null;
}

/** The TS type of each kind. int64 values are JS numbers and must be safe integers. */
export interface FieldKinds {
  utf8: string;
  int32: number;
  int64: number;
  float32: number;
  float64: number;
  bool: boolean;
  image: ImageValue;
}
export type FieldKind = keyof FieldKinds;

export interface FieldDef<K extends FieldKind = FieldKind> {
  kind: K;
  nullable: boolean;
  doc: string;
}

/** `f("float32", "the aesthetic score")`; `f.nullable(...)` for a column that may be null. */
export function f<K extends FieldKind>(kind: K, doc: string): FieldDef<K> {
  return { kind, nullable: false, doc };
}

export type Fields = Record<string, FieldDef>;

/** The TS record type of a field set. */
export type RecordOf<F extends Fields> = {
  [P in keyof F]: F[P] extends FieldDef<infer K> ? FieldKinds[K] : never;
};

export function imageType(): arrow.Struct {
  return new arrow.Struct([
    new arrow.Field("bytes", new arrow.Binary(), true),
    new arrow.Field("path", new arrow.Utf8(), true),
  ]);
}

export function arrowType(kind: FieldKind): arrow.DataType {
  switch (kind) {
    case "utf8":
      return new arrow.Utf8();
    case "int32":
      return new arrow.Int32();
    case "int64":
      return new arrow.Int64();
    case "float32":
      return new arrow.Float32();
    case "float64":
      return new arrow.Float64();
    case "bool":
      return new arrow.Bool();
    case "image":
      return imageType();
  }
}
