/**
 * The JSON manifest that describes an ONNX reward model (format: docs/reward_manifest.md).
 *
 *   {
 *     "name": "aesthetic",                       reward name, the `reward_<name>` column
 *     "file": "aesthetic.onnx",                  model path, relative to the manifest
 *     "description": "...",                      optional
 *     "inputs": {
 *       "image": {
 *         "name": "image",                       graph input name
 *         "layout": "NCHW",                      "NCHW" | "NHWC"
 *         "size": [32, 32],                      [height, width] the model expects
 *         "channels": 3,                         RGB; only 3 is supported
 *         "dtype": "float32",                    only float32
 *         "scale": 0.00392156862745098,          x = (pixel * scale - mean[c]) / std[c];
 *         "mean": [0, 0, 0], "std": [1, 1, 1],   defaults: 1/255, 0, 1
 *         "resize": "error"                      other sizes: "error" | "nearest" | "bilinear"
 *       },
 *       "prompt": {                              optional: omit for image-only rewards
 *         "name": "tokens", "kind": "tokens",
 *         "vocab": ["<pad>", "<unk>", ...],      id -> word; or a file: "vocab.json"
 *                                                (JSON array) or "vocab.txt" (one per line)
 *         "max_len": 16, "pad_id": 0, "unk_id": 1,
 *         "empty_id": 2,                         optional: first id of a prompt with no words
 *         "lowercase": true,                     default true
 *         "dtype": "int64"                       "int64" | "int32"
 *       }
 *     },
 *     "output": { "name": "score", "kind": "scalar" }
 *                 kind: "scalar" ([B] or [B,1], as is) | "sigmoid" (same shapes, a logit)
 *                       | "softmax" ([B,C], probability of class `index`)
 *   }
 *
 * Unknown keys are errors (a typo would otherwise silently fall back to a default).
 */
import { dirname, resolve } from "node:path";
import { Validator } from "./manifest_validator.ts";

export const LAYOUTS = ["NCHW", "NHWC"] as const;
export const RESIZE_MODES = ["error", "nearest", "bilinear"] as const;
export const TOKEN_DTYPES = ["int64", "int32"] as const;
export const OUTPUT_KINDS = ["scalar", "sigmoid", "softmax"] as const;

export interface ImageInputSpec {
  name: string;
  layout: typeof LAYOUTS[number];
  /** [height, width] */
  size: [number, number];
  channels: 3;
  dtype: "float32";
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  resize: typeof RESIZE_MODES[number];
}

export interface PromptInputSpec {
  name: string;
  kind: "tokens";
  /** id -> word, resolved from a file when the manifest names one */
  vocab: string[];
  max_len: number;
  pad_id: number;
  unk_id: number;
  empty_id: number | null;
  lowercase: boolean;
  dtype: typeof TOKEN_DTYPES[number];
}

export interface OutputSpec {
  name: string;
  kind: typeof OUTPUT_KINDS[number];
  /** the class whose probability is the score (softmax only) */
  index: number | null;
}

export interface RewardManifest {
  name: string;
  /** absolute path of the model */
  file: string;
  description: string;
  inputs: { image: ImageInputSpec; prompt: PromptInputSpec | null };
  output: OutputSpec;
  /**
   * The calibration temperature tau this reward suggests (ours, docs/method.md §3.4): about
   * the spread of its scores within one prompt's samples, so that a typical within-prompt gap
   * is a clear win probability. Used when the run config names no tau for this reward; null:
   * 1, the paper's.
   */
  tau: number | null;
  /** where the manifest was read from, for messages */
  source: string;
}

/** Reads and validates a manifest file; `file` and a vocab file resolve against its folder. */
export async function readRewardManifest(path: string): Promise<RewardManifest> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : String(err);
    throw new TypeError(`Cannot read reward manifest '${path}': ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(
      `Cannot parse reward manifest '${path}' as JSON: ${(err as Error).message}`,
    );
  }
  const dir = dirname(resolve(path));
  return parseRewardManifest(json, path, dir, (file) => readVocabFile(resolve(dir, file), path));
}

/**
 * Validates a parsed manifest. `baseDir` resolves `file`; `loadVocab` resolves a vocab given
 * as a file name (omit it to allow only inline vocabularies).
 */
export function parseRewardManifest(
  json: unknown,
  source: string,
  baseDir: string,
  loadVocab?: (file: string) => string[],
): RewardManifest {
  const v: Validator = new Validator(source);
  const root = v.object(json, "", ["name", "file", "description", "inputs", "output", "tau"]);
  const inputs = v.object(root.inputs, "inputs", ["image", "prompt"]);
  const img = v.object(inputs.image, "inputs.image", [
    "name",
    "layout",
    "size",
    "channels",
    "dtype",
    "scale",
    "mean",
    "std",
    "resize",
  ]);
  const size = v.numbers(
    img.size,
    "inputs.image.size",
    2,
    (x) => Number.isInteger(x) && x > 0,
    "positive integers",
  );
  const image: ImageInputSpec = {
    name: v.string(img.name, "inputs.image.name"),
    layout: v.oneOf(img.layout, "inputs.image.layout", LAYOUTS),
    size: [size[0]!, size[1]!],
    channels: v.oneOf(img.channels ?? 3, "inputs.image.channels", [3] as const),
    dtype: v.oneOf(img.dtype ?? "float32", "inputs.image.dtype", ["float32"] as const),
    scale: v.number(img.scale ?? 1 / 255, "inputs.image.scale", (x) => x !== 0, "non-zero"),
    mean: v.numbers(img.mean ?? [0, 0, 0], "inputs.image.mean", 3) as [number, number, number],
    std: v.numbers(img.std ?? [1, 1, 1], "inputs.image.std", 3, (x) => x > 0, "> 0") as [
      number,
      number,
      number,
    ],
    resize: v.oneOf(img.resize ?? "error", "inputs.image.resize", RESIZE_MODES),
  };
  let prompt: PromptInputSpec | null = null;
  if (inputs.prompt !== undefined) {
    const p = v.object(inputs.prompt, "inputs.prompt", [
      "name",
      "kind",
      "vocab",
      "max_len",
      "pad_id",
      "unk_id",
      "empty_id",
      "lowercase",
      "dtype",
    ]);
    let vocab: string[];
    if (typeof p.vocab === "string") {
      if (!loadVocab) {
        v.fail("inputs.prompt.vocab", "an inline list here (no base folder)", p.vocab);
      }
      vocab = loadVocab(p.vocab);
    } else {
      vocab = v.strings(p.vocab, "inputs.prompt.vocab");
    }
    if (vocab.length === 0) v.fail("inputs.prompt.vocab", "a non-empty list of words", "[]");
    const id = (x: unknown, key: string) =>
      v.number(
        x,
        `inputs.prompt.${key}`,
        (n) => Number.isInteger(n) && n >= 0 && n < vocab.length,
        `an integer id in [0, ${vocab.length})`,
      );
    prompt = {
      name: v.string(p.name, "inputs.prompt.name"),
      kind: v.oneOf(p.kind, "inputs.prompt.kind", ["tokens"] as const),
      vocab,
      max_len: v.number(
        p.max_len,
        "inputs.prompt.max_len",
        (n) => Number.isInteger(n) && n > 0,
        "a positive integer",
      ),
      pad_id: id(p.pad_id, "pad_id"),
      unk_id: id(p.unk_id, "unk_id"),
      empty_id: p.empty_id === undefined || p.empty_id === null ? null : id(p.empty_id, "empty_id"),
      lowercase: v.boolean(p.lowercase ?? true, "inputs.prompt.lowercase"),
      dtype: v.oneOf(p.dtype ?? "int64", "inputs.prompt.dtype", TOKEN_DTYPES),
    };
  }
  const out = v.object(root.output, "output", ["name", "kind", "index"]);
  const kind = v.oneOf(out.kind ?? "scalar", "output.kind", OUTPUT_KINDS);
  const output: OutputSpec = {
    name: v.string(out.name, "output.name"),
    kind,
    index: kind === "softmax"
      ? v.number(
        out.index,
        "output.index",
        (n) => Number.isInteger(n) && n >= 0,
        "a class index >= 0",
      )
      : null,
  };
  if (kind !== "softmax" && out.index !== undefined) {
    v.fail("output.index", "absent unless output.kind is 'softmax'", out.index);
  }
  const name = v.string(root.name, "name");
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(name)) {
    v.fail("name", "a lowercase identifier ([a-z][a-z0-9_]*)", name);
  }
  return {
    name,
    file: resolve(baseDir, v.string(root.file, "file")),
    description: root.description === undefined ? "" : v.string(root.description, "description"),
    inputs: { image, prompt },
    output,
    tau: root.tau === undefined || root.tau === null
      ? null
      : v.number(root.tau, "tau", (x) => x > 0, "a number > 0 (the calibration temperature)"),
    source,
  };
}

function readVocabFile(path: string, manifest: string): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : String(err);
    throw new TypeError(`Cannot read the vocab '${path}' of reward manifest '${manifest}': ${why}`);
  }
  if (path.endsWith(".json")) {
    const words: unknown = JSON.parse(text);
    if (!Array.isArray(words) || !words.every((w) => typeof w === "string")) {
      throw new TypeError(`Cannot read the vocab '${path}' as a JSON array of strings`);
    }
    return words;
  }
  return text.split(/\r?\n/).filter((w, i, all) => w !== "" || i < all.length - 1);
}
