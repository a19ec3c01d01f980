/**
 * Prompt source: the first stage (SPEC section 2). Reads prompts from a plain text (one per
 * line), JSONL, CSV or Parquet file, and yields `Prompt` records.
 *
 * Per prompt, in order:
 *  1. normalise: NFC, trim, collapse inner whitespace (optionally lowercase);
 *  2. drop empty prompts (counted `empty`);
 *  3. skip prompts longer than `maxChars` after normalisation (counted `too_long`, with a
 *     warning naming the line: one bad line should not abort a 100K-prompt run, and the count
 *     makes the loss visible);
 *  4. drop repeats of an earlier prompt (same normalised text, counted `duplicate`);
 *  5. prompt_id = first 16 hex of sha256(normalised text); source_index = position among the
 *     unique prompts (so it is the same in every shard);
 *  6. split: from `split`, or from the file name (train.txt, eval.jsonl, ...), or from the id;
 *  7. keep only this shard's prompts (`shard` i/n: id hash mod n == i; others counted
 *     `other_shard`).
 *
 * Invariant: read = empty + too_long + duplicate + other_shard + kept, once the stream ends.
 * Errors, never silent: an unreadable path, an empty file or a file with no usable prompt,
 * invalid UTF-8 (names the line), malformed JSONL/CSV (names the line), a missing column.
 */
import { basename, extname } from "node:path";
import { logger } from "../../lib/log.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import { readCsvPrompts } from "./csv_reader.ts";
import { readJsonlPrompts } from "./jsonl_reader.ts";
import {
  checkShard,
  normalizePrompt,
  parseShard,
  promptId,
  type Shard,
  shardOf,
  splitOf,
} from "./normalize.ts";
import { readParquetPrompts } from "./parquet_reader.ts";
import type { RawPrompt } from "./raw_prompt.ts";
import { readTextPrompts } from "./text_reader.ts";

const log = logger("prompt-source");

export const PROMPT_FORMATS = ["txt", "jsonl", "csv", "parquet"] as const;
export type PromptFormat = typeof PROMPT_FORMATS[number];
export const SPLIT_MODES = ["auto", "hash", "train", "eval"] as const;
export type SplitMode = typeof SPLIT_MODES[number];

export interface PromptSourceOptions {
  /** File format. @default {from the extension: .txt, .jsonl, .csv, .parquet} */
  format?: PromptFormat;
  /** Column (CSV, Parquet) or key (JSONL) holding the prompt. @default {"prompt"} */
  column?: string;
  /** Lowercase prompts when normalising (changes ids). @default {false} */
  lowercase?: boolean;
  /** Longest kept prompt, in UTF-16 code units after normalisation. @default {1000} */
  maxChars?: number;
  /**
   * 'train' or 'eval': every prompt gets that split. 'hash': from the prompt id with
   * `evalFraction`. 'auto': 'train'/'eval' when the file name's stem is `train` or `eval`
   * (optionally followed by `-`, `_` or `.` and more, e.g. `train-00001.parquet`), else 'hash'.
   * @default {"auto"}
   */
  split?: SplitMode;
  /** Fraction of prompts in 'eval' under hash splitting, in [0, 1]. @default {0.1} */
  evalFraction?: number;
  /** Keep only this shard, `{ index, count }` or "i/n". @default {all prompts} */
  shard?: Shard | string;
}

export interface PromptSourceStats {
  /** records read (lines, JSONL lines, CSV records after the header, Parquet rows) */
  read: number;
  empty: number;
  too_long: number;
  duplicate: number;
  other_shard: number;
  kept: number;
}

export interface PromptSource {
  readable: ReadableStream<Prompt>;
  /** Counters, updated as the stream is read; final once it has closed. */
  stats: PromptSourceStats;
  /** The split rule in effect: 'train', 'eval' or 'hash'. */
  split: "train" | "eval" | "hash";
}

/**
 * Opens `path` (errors naming it if it cannot be read or is empty) and returns the prompt
 * stream. Format errors inside the file surface as errors of the stream.
 */
export async function openPromptSource(
  path: string,
  options: PromptSourceOptions = {},
): Promise<PromptSource> {
  const format = options.format ?? formatOf(path);
  const column = options.column ?? "prompt";
  const maxChars = options.maxChars ?? 1000;
  const evalFraction = options.evalFraction ?? 0.1;
  const mode = options.split ?? "auto";
  if (!(PROMPT_FORMATS as readonly string[]).includes(format)) {
    throw new TypeError(
      `Cannot open prompt source as format must be one of ${
        PROMPT_FORMATS.join(", ")
      }: current value is '${format}'`,
    );
  }
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(
      `Cannot open prompt source as maxChars must be a positive integer: current value is ${maxChars}`,
    );
  }
  if (!(evalFraction >= 0 && evalFraction <= 1)) {
    throw new RangeError(
      `Cannot open prompt source as evalFraction must be in [0, 1]: current value is ${evalFraction}`,
    );
  }
  if (!(SPLIT_MODES as readonly string[]).includes(mode)) {
    throw new TypeError(
      `Cannot open prompt source as split must be one of ${
        SPLIT_MODES.join(", ")
      }: current value is '${mode}'`,
    );
  }
  const shard = typeof options.shard === "string" ? parseShard(options.shard) : options.shard;
  if (shard) checkShard(shard);
  const split = mode === "auto" ? splitFromName(path) : mode;

  let raw: ReadableStream<RawPrompt>;
  if (format === "parquet") {
    const bytes = await readOrExplain(path, () => Deno.readFile(path));
    if (bytes.length === 0) throw new RangeError(`no prompts in ${path}: the file is empty`);
    raw = readParquetPrompts(path, bytes, column);
  } else {
    const file = await readOrExplain(path, () => Deno.open(path, { read: true }));
    const info = await file.stat();
    if (info.isDirectory) {
      file.close();
      throw new TypeError(`Cannot read prompts from '${path}': it is a directory`);
    }
    if (info.size === 0) {
      file.close();
      throw new RangeError(`no prompts in ${path}: the file is empty`);
    }
    raw = format === "txt"
      ? readTextPrompts(path, file.readable)
      : format === "jsonl"
      ? readJsonlPrompts(path, file.readable, column)
      : readCsvPrompts(path, file.readable, column);
  }

  const stats: PromptSourceStats = {
    read: 0,
    empty: 0,
    too_long: 0,
    duplicate: 0,
    other_shard: 0,
    kept: 0,
  };
  const seen = new Set<string>();
  let unique = 0;
  const readable = raw.pipeThrough(
    new TransformStream<RawPrompt, Prompt>({
      transform: ({ text, line }, controller) => {
        stats.read++;
        const prompt = text === null
          ? ""
          : normalizePrompt(text, { lowercase: options.lowercase ?? false });
        if (prompt === "") {
          stats.empty++;
          return;
        }
        if (prompt.length > maxChars) {
          stats.too_long++;
          log.warn(`skipping a prompt longer than maxChars`, {
            file: path,
            line,
            chars: prompt.length,
            maxChars,
          });
          return;
        }
        const id = promptId(prompt);
        if (seen.has(id)) {
          stats.duplicate++;
          return;
        }
        seen.add(id);
        const source_index = unique++;
        if (shard && shardOf(id, shard.count) !== shard.index) {
          stats.other_shard++;
          return;
        }
        stats.kept++;
        controller.enqueue({
          prompt_id: id,
          prompt,
          split: split === "hash" ? splitOf(id, evalFraction) : split,
          source_index,
        });
      },
      flush: () => {
        if (unique === 0) {
          throw new RangeError(
            `no prompts in ${path}: read ${stats.read} record(s), ${stats.empty} empty, ` +
              `${stats.too_long} longer than ${maxChars} characters`,
          );
        }
        log.info("prompts read", { file: path, ...stats });
      },
    }),
  );
  return { readable, stats, split };
}

/** Reads every prompt of `path` into memory (small files, tests, CLI listing). */
export async function readPrompts(
  path: string,
  options: PromptSourceOptions = {},
): Promise<{ prompts: Prompt[]; stats: PromptSourceStats }> {
  const source = await openPromptSource(path, options);
  const prompts = await Array.fromAsync(source.readable);
  return { prompts, stats: source.stats };
}

function formatOf(path: string): PromptFormat {
  const ext = extname(path).toLowerCase().slice(1);
  if ((PROMPT_FORMATS as readonly string[]).includes(ext)) return ext as PromptFormat;
  throw new TypeError(
    `Cannot tell the prompt format of '${path}' from its extension: expected one of ` +
      `${PROMPT_FORMATS.map((f) => "." + f).join(", ")}, or pass format`,
  );
}

function splitFromName(path: string): "train" | "eval" | "hash" {
  const m = /^(train|eval)(?:[-_.].*)?$/.exec(basename(path, extname(path)).toLowerCase());
  return m ? (m[1] as "train" | "eval") : "hash";
}

async function readOrExplain<T>(path: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new TypeError(`Cannot read prompts from '${path}': ${why}`);
  }
}
