/**
 * Prompt source: the first stage (docs/method.md §7). Reads prompts from a plain text (one per
 * line), JSONL, CSV or Parquet file, and yields `Prompt` records.
 *
 * Per prompt, in order:
 *  1. normalise: NFC, trim, collapse inner whitespace (optionally lowercase);
 *  2. drop empty prompts (counted `empty`);
 *  3. reject (or skip and count, `control_chars`) a prompt holding a control character;
 *     skip prompts longer than `max_chars` after normalisation (counted `too_long`, with a
 *     warning naming the line: one bad line should not abort a 100K-prompt run, and the count
 *     makes the loss visible);
 *  4. drop repeats of an earlier prompt (counted `duplicate`): by default the same text up to
 *     letter case and Unicode compatibility form (the first spelling is kept), or only the
 *     same normalised text (`duplicates: 'exact'`);
 *  5. prompt_id = first 16 hex of sha256(normalised text); source_index = position among the
 *     unique prompts (so it is the same in every shard);
 *  6. split: from `split`, or from the file name (train.txt, eval.jsonl, ...), or from the id;
 *  7. keep only this shard's prompts (`shard` i/n: id hash mod n == i; others counted
 *     `other_shard`).
 *
 * Invariant: read = empty + control + too_long + duplicate + other_shard + kept, once the
 * stream ends.
 * Errors, never silent: an unreadable path, an empty file or a file with no usable prompt,
 * invalid UTF-8 (names the line), malformed JSONL/CSV (names the line), a missing column.
 */
import { basename, extname } from "node:path";
import { logger } from "../../lib/log.ts";
import type { Prompt } from "../../schemas/prompt.ts";
import { defaultsOf, merge } from "../../lib/config_table.ts";
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
import {
  PROMPT_FORMATS,
  type PromptFormat,
  PROMPTS,
  type PromptsConfig,
  SPLIT_MODES,
  type SplitMode,
} from "./options.ts";

const log = logger("prompt-source");

export { PROMPT_FORMATS, type PromptFormat, SPLIT_MODES, type SplitMode };

/**
 * The run config's `prompts` section (stages/prompts/options.ts) without `path` and `limit`,
 * plus the work shard; keys left out take the section's defaults (`format`: from the extension).
 */
export type PromptSourceOptions = Partial<Omit<PromptsConfig, "path" | "limit">> & {
  /** Keep only this shard, `{ index, count }` or "i/n". @default {all prompts} */
  shard?: Shard | string;
};

export interface PromptSourceStats {
  /** records read (lines, JSONL lines, CSV records after the header, Parquet rows) */
  read: number;
  empty: number;
  too_long: number;
  duplicate: number;
  /** skipped for a control character (control_chars 'skip') */
  control: number;
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
  const { shard: shardOption, ...section } = options;
  let o: PromptsConfig;
  try {
    o = merge(PROMPTS, defaultsOf(PROMPTS), section, "prompt source options", "prompts.");
  } catch (err) {
    throw new TypeError(`Cannot open prompt source: ${(err as Error).message}`);
  }
  // A missing or unreadable file is reported below, once the format is known.
  if ((await Deno.stat(path).catch(() => null))?.isDirectory) {
    throw new TypeError(`Cannot read prompts from '${path}': it is a directory`);
  }
  const format = o.format ?? formatOf(path);
  const { column, max_chars: maxChars, eval_fraction: evalFraction, split: mode } = o;
  const shard = typeof shardOption === "string" ? parseShard(shardOption) : shardOption;
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
    control: 0,
    other_shard: 0,
    kept: 0,
  };
  const seen = new Set<string>();
  let unique = 0;
  const readable = raw.pipeThrough(
    new TransformStream<RawPrompt, Prompt>({
      transform: ({ text, line }, controller) => {
        stats.read++;
        const prompt = text === null ? "" : normalizePrompt(text, { lowercase: o.lowercase });
        if (prompt === "") {
          stats.empty++;
          return;
        }
        const control = CONTROL.exec(prompt);
        if (control) {
          const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
          if (o.control_chars === "reject") {
            throw new TypeError(
              `Cannot read prompts from '${path}' line ${line} as the prompt holds the control ` +
                `character ${code} (prompts.control_chars 'skip' skips such prompts)`,
            );
          }
          stats.control++;
          log.warn(`skipping a prompt holding the control character ${code}`, { file: path, line });
          return;
        }
        if (prompt.length > maxChars) {
          stats.too_long++;
          log.warn(`skipping a prompt longer than prompts.max_chars`, {
            file: path,
            line,
            chars: prompt.length,
            max_chars: maxChars,
          });
          return;
        }
        const id = promptId(prompt);
        const dedupeKey = o.duplicates === "folded" ? promptId(foldPrompt(prompt)) : id;
        if (seen.has(dedupeKey)) {
          stats.duplicate++;
          return;
        }
        seen.add(dedupeKey);
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

/** C0 controls (tab, newline and carriage return are whitespace, collapsed when normalising),
 *  DEL and C1 controls: never part of a prompt, always a broken file. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** The duplicate key of prompts.duplicates 'folded': compatibility forms and case folded. */
export function foldPrompt(prompt: string): string {
  return prompt.normalize("NFKC").toLowerCase();
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
      : err instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new TypeError(`Cannot read prompts from '${path}': ${why}`);
  }
}
