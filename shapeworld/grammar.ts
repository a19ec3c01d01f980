/**
 * The caption grammar (docs/method.md §8), parsed and generated:
 *
 *     caption  := single | colors | counting | two | color_attr | position
 *     np       := "a" [size] [colour] shape
 *     single   := "a" [size] shape                         (no colour)
 *     colors   := "a" [size] colour shape
 *     counting := number [size] [colour] noun              (noun plural unless number is "one")
 *     two      := np "and" np                              (neither names a colour)
 *     color_attr := np "and" np                            (both name a colour)
 *     position := np relation np
 *     relation := "to the left of" | "to the right of" | "above" | "below"
 *
 * The category is decided by the caption's form alone: a number word first means counting, a
 * relation phrase means position, "and" means two_object or color_attr (by whether colours are
 * named), otherwise one object with or without a colour. The two objects of a pair must have
 * different descriptions (else the caption is a counting one, or its relation is vacuous).
 */
import type { Meaning, ObjectSpec } from "./meaning.ts";
import { describeSpec, sameSpec } from "./meaning.ts";
import {
  type Colour,
  COLOURS,
  type Count,
  COUNT_WORDS,
  plural,
  type Relation,
  relationPhrase,
  RELATIONS,
  type Shape,
  SHAPES,
  type Size,
  SIZES,
  VOCABULARY,
} from "./vocab.ts";

const COUNT_OF: ReadonlyMap<string, Count> = new Map(
  COUNT_WORDS.map((w, i) => [w, (i + 1) as Count]),
);
const SHAPE_SET: ReadonlySet<string> = new Set(SHAPES);
const COLOUR_SET: ReadonlySet<string> = new Set(COLOURS);
const SIZE_SET: ReadonlySet<string> = new Set(SIZES);
const VOCAB_SET: ReadonlySet<string> = new Set(VOCABULARY);
const PLURAL_OF: ReadonlyMap<string, Shape> = new Map(SHAPES.map((s) => [plural(s), s]));

function fail(text: string, why: string): never {
  throw new Error(`cannot evaluate: ${why} (caption "${text}")`);
}

/** Parse "[size] [colour] noun" from words; the noun must be a shape (plural when asked). */
function parseDescription(
  text: string,
  words: readonly string[],
  pluralNoun: boolean,
): ObjectSpec {
  const spec: Partial<ObjectSpec> = {};
  let i = 0;
  if (i < words.length && SIZE_SET.has(words[i]!)) spec.size = words[i++] as Size;
  if (i < words.length && COLOUR_SET.has(words[i]!)) spec.colour = words[i++] as Colour;
  const noun = words[i];
  if (noun === undefined) fail(text, "an object description has no shape noun");
  if (SIZE_SET.has(noun) || COLOUR_SET.has(noun)) {
    fail(text, `"${noun}" is out of place: an object is [size] [colour] shape`);
  }
  if (i !== words.length - 1) {
    fail(text, `unexpected words after "${noun}": "${words.slice(i + 1).join(" ")}"`);
  }
  if (pluralNoun) {
    const shape = PLURAL_OF.get(noun);
    if (shape === undefined) {
      fail(text, `"${noun}" is not a plural shape (expected one of ${[...PLURAL_OF.keys()]})`);
    }
    spec.shape = shape;
  } else {
    if (!SHAPE_SET.has(noun)) {
      const hint = PLURAL_OF.has(noun) ? "a plural needs a number word" : "not a known shape";
      fail(
        text,
        `"${noun}": ${hint} (shapes are ${SHAPES.join(", ")}; order is size colour shape)`,
      );
    }
    spec.shape = noun as Shape;
  }
  return spec as ObjectSpec;
}

/** Parse `"a" description`. */
function parseNounPhrase(text: string, words: readonly string[]): ObjectSpec {
  if (words.length === 0) fail(text, 'an object is missing (expected "a" [size] [colour] shape)');
  if (words[0] !== "a") {
    fail(text, `an object description must start with "a": "${words.join(" ")}"`);
  }
  return parseDescription(text, words.slice(1), false);
}

function findRelation(words: readonly string[]): { at: number; len: number; r: Relation } | null {
  for (const r of RELATIONS) {
    const phrase = relationPhrase(r).split(" ");
    for (let at = 0; at + phrase.length <= words.length; at++) {
      if (phrase.every((w, k) => words[at + k] === w)) return { at, len: phrase.length, r };
    }
  }
  return null;
}

/**
 * The structured meaning of a caption. Throws an Error whose message starts with
 * "cannot evaluate: " and says why, for any text outside the grammar.
 */
export function parseCaption(text: string): Meaning {
  if (typeof text !== "string") fail(String(text), "the caption is not a string");
  if (text.length === 0) fail(text, "the caption is empty");
  if (!/^[a-z]+( [a-z]+)*$/.test(text)) {
    fail(text, "captions are lowercase words separated by single spaces, no punctuation");
  }
  const words = text.split(" ");
  const unknown = words.find((w) => !VOCAB_SET.has(w));
  if (unknown !== undefined) {
    fail(text, `"${unknown}" is not in the vocabulary (${VOCABULARY.join(" ")})`);
  }
  const count = COUNT_OF.get(words[0]!);
  if (count !== undefined) {
    const object = parseDescription(text, words.slice(1), count > 1);
    return { category: "counting", count, object };
  }
  const rel = findRelation(words);
  if (rel !== null) {
    const a = parseNounPhrase(text, words.slice(0, rel.at));
    const b = parseNounPhrase(text, words.slice(rel.at + rel.len));
    if (sameSpec(a, b)) {
      fail(text, `both objects are "${describeSpec(a)}", so the relation cannot be checked`);
    }
    return { category: "position", relation: rel.r, objects: [a, b] };
  }
  const and = words.indexOf("and");
  if (and >= 0) {
    const a = parseNounPhrase(text, words.slice(0, and));
    const b = parseNounPhrase(text, words.slice(and + 1));
    if (sameSpec(a, b)) {
      fail(text, `both objects are "${describeSpec(a)}"; say it with a number word instead`);
    }
    if (a.colour === undefined && b.colour === undefined) {
      return { category: "two_object", objects: [a, b] };
    }
    if (a.colour !== undefined && b.colour !== undefined) {
      return { category: "color_attr", objects: [a, b] };
    }
    fail(text, "a pair of objects names a colour for both or for neither");
  }
  const object = parseNounPhrase(text, words);
  if (object.colour !== undefined) {
    return { category: "colors", object: { ...object, colour: object.colour } };
  }
  return { category: "single_object", object };
}

function np(spec: ObjectSpec): string {
  return `a ${describeSpec(spec)}`;
}

/**
 * The caption of a meaning; `parseCaption(captionOf(m))` gives back `m`. Throws a TypeError
 * for a meaning its own category cannot express (say, a colour in a single_object meaning).
 */
export function captionOf(m: Meaning): string {
  const text = writeCaption(m);
  // Re-parsing is cheap (microseconds) and catches meanings built by hand that no caption has.
  let back: Meaning;
  try {
    back = parseCaption(text);
  } catch (err) {
    throw new TypeError(
      `Cannot write a caption for ${JSON.stringify(m)} as it is outside the grammar: ${
        (err as Error).message
      }`,
    );
  }
  if (back.category !== m.category) {
    throw new TypeError(
      `Cannot write a caption for ${JSON.stringify(m)} as "${text}" reads as category ` +
        `${back.category}: current value is ${m.category}`,
    );
  }
  return text;
}

function writeCaption(m: Meaning): string {
  switch (m.category) {
    case "single_object":
    case "colors":
      return np(m.object);
    case "counting": {
      const d = describeSpec(m.object);
      const words = d.split(" ");
      if (m.count > 1) words[words.length - 1] = plural(m.object.shape);
      return `${COUNT_WORDS[m.count - 1]} ${words.join(" ")}`;
    }
    case "two_object":
    case "color_attr":
      return `${np(m.objects[0])} and ${np(m.objects[1])}`;
    case "position":
      return `${np(m.objects[0])} ${relationPhrase(m.relation)} ${np(m.objects[1])}`;
  }
}
