/**
 * Word-level tokenizer over ShapeWorld's vocabulary.
 *
 * ids: 0 <pad>, 1 <unk>, 2 <null> (the empty prompt used for classifier-free guidance), then
 * the vocabulary in order. Prompts are lower-cased and split on anything that is not a
 * letter or digit; words outside the vocabulary become <unk> and are reported, so a caller
 * can warn. The empty prompt "" encodes as the null prompt.
 */
export const PAD = 0;
export const UNK = 1;
export const NULL = 2;
const SPECIALS = ["<pad>", "<unk>", "<null>"];
/** Number of special tokens before the vocabulary. */
export const SPECIAL_TOKENS = SPECIALS.length;

export interface Encoded {
  /** [maxTokens] token ids */
  ids: Int32Array;
  /** words not in the vocabulary (each once, in order of appearance) */
  unknown: string[];
  /** words dropped because the prompt was longer than maxTokens */
  truncated: number;
}

export class Tokenizer {
  readonly maxTokens: number;
  readonly words: readonly string[];
  #index = new Map<string, number>();

  constructor(vocabulary: readonly string[], maxTokens: number) {
    if (!Number.isInteger(maxTokens) || maxTokens < 1) {
      throw new RangeError(
        `Cannot construct Tokenizer as maxTokens must be a positive integer: current value is ${maxTokens}`,
      );
    }
    this.maxTokens = maxTokens;
    this.words = [...SPECIALS, ...vocabulary.map((w) => w.toLowerCase())];
    this.words.forEach((w, i) => this.#index.set(w, i));
  }

  get vocabSize(): number {
    return this.words.length;
  }

  /** Split a prompt into words the way encode() does. */
  static split(prompt: string): string[] {
    return prompt.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
  }

  encode(prompt: string): Encoded {
    const words = Tokenizer.split(prompt);
    const ids = new Int32Array(this.maxTokens); // zero-filled = <pad>
    if (words.length === 0) {
      ids[0] = NULL;
      return { ids, unknown: [], truncated: 0 };
    }
    const unknown: string[] = [];
    words.slice(0, this.maxTokens).forEach((w, i) => {
      const id = this.#index.get(w);
      if (id === undefined || id < SPECIALS.length) {
        if (!unknown.includes(w)) unknown.push(w);
        ids[i] = UNK;
      } else ids[i] = id;
    });
    return { ids, unknown, truncated: Math.max(0, words.length - this.maxTokens) };
  }

  /** The null prompt (classifier-free guidance's unconditional input). */
  nullIds(): Int32Array {
    const ids = new Int32Array(this.maxTokens);
    ids[0] = NULL;
    return ids;
  }
}
