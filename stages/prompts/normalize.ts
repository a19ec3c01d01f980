/**
 * Prompt normalisation, the stable prompt id, and the two hash-derived assignments made from
 * it: the train/eval split and the shard (docs/method.md §7, "sharded by a stable hash").
 *
 * The id is a function of the normalised text only, so the same prompt gets the same id in
 * every file, format, shard and run. The split and the shard use different bits of the id
 * so that they are independent: every shard holds the same eval fraction.
 */
import { createHash } from "node:crypto";

export interface NormalizeOptions {
  /** Lowercase the text (changes the id). @default {false} */
  lowercase?: boolean;
}

/** NFC, trim, collapse every run of inner whitespace to one space; optionally lowercase. */
export function normalizePrompt(text: string, options: NormalizeOptions = {}): string {
  // NFC first, so that a composed and a decomposed "é" give the same id.
  const t = text.normalize("NFC").trim().replace(/\s+/g, " ");
  return options.lowercase ? t.toLowerCase() : t;
}

/** The first 16 hex characters (64 bits) of sha256 of the UTF-8 normalised text. */
export function promptId(normalized: string): string {
  return createHash("sha256").update(normalized, "utf8").digest("hex").slice(0, 16);
}

function idBits(id: string, from: number): number {
  const v = parseInt(id.slice(from, from + 8), 16);
  if (!/^[0-9a-f]{16}$/.test(id) || !Number.isFinite(v)) {
    throw new TypeError(
      `Cannot hash prompt id as it must be 16 lowercase hex characters: current value is '${id}'`,
    );
  }
  return v;
}

/** 'eval' iff the id's low 32 bits, as a fraction of 2^32, fall below `evalFraction`. */
export function splitOf(id: string, evalFraction: number): "train" | "eval" {
  return idBits(id, 8) / 2 ** 32 < evalFraction ? "eval" : "train";
}

/** The shard of a prompt: the id's high 32 bits mod `count`. */
export function shardOf(id: string, count: number): number {
  return idBits(id, 0) % count;
}

export interface Shard {
  /** 0-based shard index, < count. */
  index: number;
  /** number of shards, >= 1. */
  count: number;
}

/** Parses `--shard i/n` ("0/4"); throws naming the value if it is not `i/n` with 0 <= i < n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : null;
  if (!shard) {
    throw new TypeError(
      `Cannot parse shard as it must look like 'i/n': current value is '${text}'`,
    );
  }
  checkShard(shard);
  return shard;
}

export function checkShard(shard: Shard): void {
  const { index, count } = shard;
  if (
    !Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count
  ) {
    throw new RangeError(
      `Cannot use shard as it must satisfy 0 <= index < count: current value is ${index}/${count}`,
    );
  }
}
