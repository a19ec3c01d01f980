/**
 * Hugging Face `datasets` feature metadata for an exported Arrow schema.
 *
 * `datasets` reads the `huggingface` key of an Arrow/Parquet schema's metadata
 * (`{"info": {"features": {...}}}`) to type its columns; without it a struct {bytes, path}
 * column loads as a plain dict. With it, capo's image columns load as `datasets.Image()` (PIL
 * images) and everything else as the matching `Value` dtype.
 */
import * as arrow from "apache-arrow";

type Feature = { _type: "Value"; dtype: string } | { _type: "Image" };

function isImageStruct(t: arrow.DataType): boolean {
  if (!arrow.DataType.isStruct(t)) return false;
  const names = t.children.map((c) => c.name).sort().join(",");
  return names === "bytes,path";
}

/** The `datasets` feature of one Arrow type; throws naming the column for a type it lacks. */
export function hfFeature(column: string, t: arrow.DataType): Feature {
  if (isImageStruct(t)) return { _type: "Image" };
  const value = (dtype: string): Feature => ({ _type: "Value", dtype });
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return value("string");
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t)) return value("binary");
  if (arrow.DataType.isBool(t)) return value("bool");
  if (arrow.DataType.isInt(t)) return value(`${t.isSigned ? "" : "u"}int${t.bitWidth}`);
  if (arrow.DataType.isFloat(t)) {
    return value(
      t.precision === arrow.Precision.HALF
        ? "float16"
        : t.precision === arrow.Precision.SINGLE
        ? "float32"
        : "float64",
    );
  }
  throw new TypeError(
    `Cannot describe column '${column}' for Hugging Face datasets as its Arrow type ${t} has no ` +
      `datasets feature here`,
  );
}

/** `schema` with the `huggingface` metadata key describing every column (other keys kept). */
export function withHfFeatures(schema: arrow.Schema): arrow.Schema {
  const features = Object.fromEntries(
    schema.fields.map((f) => [f.name, hfFeature(f.name, f.type)]),
  );
  const metadata = new Map(schema.metadata);
  metadata.set("huggingface", JSON.stringify({ info: { features } }));
  return new arrow.Schema(schema.fields, metadata);
}
