/**
 * The structured meaning of a caption: one variant per GenEval category (docs/method.md §8).
 *
 * An object description names a shape and optionally a colour and a size; what it leaves
 * out is free (any colour, any size). Category names follow GenEval's table.
 */
import type { Colour, Count, Relation, Shape, Size } from "./vocab.ts";

export interface ObjectSpec {
  shape: Shape;
  colour?: Colour;
  size?: Size;
}

export const CATEGORIES = [
  "single_object",
  "two_object",
  "counting",
  "colors",
  "position",
  "color_attr",
] as const;
export type Category = typeof CATEGORIES[number];

/** "a circle", "a small triangle": one object, no colour named. */
export interface SingleObjectMeaning {
  category: "single_object";
  object: ObjectSpec;
}

/** "a red circle": one object whose colour is named. */
export interface ColorsMeaning {
  category: "colors";
  object: ObjectSpec & { colour: Colour };
}

/** "three green triangles", "one circle": exactly `count` objects, all fitting `object`. */
export interface CountingMeaning {
  category: "counting";
  count: Count;
  object: ObjectSpec;
}

/** "a circle and a small square": two objects, no colours named. */
export interface TwoObjectMeaning {
  category: "two_object";
  objects: [ObjectSpec, ObjectSpec];
}

/** "a red circle and a blue square": two objects, each with its colour named. */
export interface ColorAttrMeaning {
  category: "color_attr";
  objects: [ObjectSpec, ObjectSpec];
}

/** "a red circle to the left of a square": objects[0] stands in `relation` to objects[1]. */
export interface PositionMeaning {
  category: "position";
  relation: Relation;
  objects: [ObjectSpec, ObjectSpec];
}

export type Meaning =
  | SingleObjectMeaning
  | ColorsMeaning
  | CountingMeaning
  | TwoObjectMeaning
  | ColorAttrMeaning
  | PositionMeaning;

/** The objects a scene for `m` must contain, one spec per object (counting repeats its spec). */
export function objectsOf(m: Meaning): ObjectSpec[] {
  switch (m.category) {
    case "single_object":
    case "colors":
      return [m.object];
    case "counting":
      return Array.from({ length: m.count }, () => m.object);
    case "two_object":
    case "color_attr":
    case "position":
      return [m.objects[0], m.objects[1]];
  }
}

/** Two specs that describe exactly the same objects. */
export function sameSpec(a: ObjectSpec, b: ObjectSpec): boolean {
  return a.shape === b.shape && a.colour === b.colour && a.size === b.size;
}

/** Whether a concrete object (shape, colour, size class) fits a spec. */
export function fitsSpec(
  spec: ObjectSpec,
  obj: { shape: Shape; colour: Colour; size: Size },
): boolean {
  return spec.shape === obj.shape &&
    (spec.colour === undefined || spec.colour === obj.colour) &&
    (spec.size === undefined || spec.size === obj.size);
}

/** A spec in words without the article: "small red circle". */
export function describeSpec(spec: ObjectSpec): string {
  return [spec.size, spec.colour, spec.shape].filter((w) => w !== undefined).join(" ");
}
