/**
 * `<run>/imported/source.json`: where an import's images came from (`capo import` writes it,
 * the run report reads it). The Sample stage's hashed config holds the listing's digest and the
 * fields recorded in every row, not the path, so that moving the input does not invalidate the
 * run; this file keeps the path for the reader.
 */
export interface ImportSource {
  /** The `--input` path as given. */
  input: string;
  kind: "folder" | "parquet";
  digest: string;
  /** Images listed for import and their distinct prompts (before any bad image is skipped). */
  images: number;
  prompts: number;
}

/** The file's name in `<run>/imported/`. */
export const IMPORT_SOURCE_FILE = "source.json";
