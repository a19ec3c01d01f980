/**
 * The closed vocabulary of ShapeWorld (docs/method.md §8): shapes, colours, sizes, counts and
 * relations, with the RGB palette the renderer paints and ShapeEval segments.
 *
 * The palette is chosen so every pair of colours (and every colour and the background) is far
 * apart in RGB (minimum pairwise distance 128, blue-cyan), which keeps ShapeEval's colour segmentation
 * exact on clean renders and robust under noise.
 */

export const SHAPES = ["circle", "square", "triangle"] as const;
export type Shape = typeof SHAPES[number];

export const COLOURS = ["red", "green", "blue", "yellow", "purple", "cyan"] as const;
export type Colour = typeof COLOURS[number];

export const SIZES = ["small", "large"] as const;
export type Size = typeof SIZES[number];

/** Relations as GenEval names them; captions spell "left of" as "to the left of". */
export const RELATIONS = ["left of", "right of", "above", "below"] as const;
export type Relation = typeof RELATIONS[number];

/** The counting category covers 1 to 4 objects. */
export const COUNT_WORDS = ["one", "two", "three", "four"] as const;
export type Count = 1 | 2 | 3 | 4;

export type Rgb = readonly [number, number, number];

/** The plain background every scene is painted on (light gray). */
export const BACKGROUND: Rgb = [240, 240, 240];

/** The paint of each named colour. */
export const PALETTE: Readonly<Record<Colour, Rgb>> = {
  red: [220, 30, 30],
  green: [30, 160, 40],
  blue: [40, 70, 230],
  yellow: [240, 200, 0],
  purple: [160, 40, 190],
  cyan: [0, 190, 210],
};

/** The nominal extent (bounding-box side, pixels) of each size class: [min, max). */
export const SIZE_RANGE: Readonly<Record<Size, readonly [number, number]>> = {
  small: [6.5, 8],
  large: [10.5, 12.5],
};

/** Extents below this are judged small, at or above it large (midway between the ranges). */
export const SIZE_THRESHOLD = 9.25;

/** The plural of a shape noun, as counting captions use it. */
export function plural(shape: Shape): string {
  return `${shape}s`;
}

const RELATION_WORDS: Readonly<Record<Relation, string>> = {
  "left of": "to the left of",
  "right of": "to the right of",
  above: "above",
  below: "below",
};

/** The words a relation is written with in a caption. */
export function relationPhrase(r: Relation): string {
  return RELATION_WORDS[r];
}

/**
 * Every word any caption of the grammar can contain, sorted and unique. A tokenizer built
 * from this list covers every train and eval prompt.
 */
export const VOCABULARY: readonly string[] = Object.freeze(
  [
    ...new Set([
      "a",
      "and",
      ...SHAPES,
      ...SHAPES.map(plural),
      ...COLOURS,
      ...SIZES,
      ...COUNT_WORDS,
      ...RELATIONS.flatMap((r) => relationPhrase(r).split(" ")),
    ]),
  ].sort(),
);
