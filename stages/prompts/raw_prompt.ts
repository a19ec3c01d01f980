/** What every prompt file reader yields, before normalisation. */
export interface RawPrompt {
  /** The prompt text as read; null for a null cell (JSONL null, empty Parquet value). */
  text: string | null;
  /** 1-based line (txt, JSONL, CSV: the record's first line) or row (Parquet), for messages. */
  line: number;
}
