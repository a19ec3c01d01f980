/**
 * The combinations held out of every training prompt and of the pretraining corpus, so the
 * eval set measures generalisation to unseen compositions (see data/prompts/README.md).
 *
 * Held-out colour-shape pairs: no train caption and no corpus image shows such an object.
 * Held-out relations: spatial facts "A rel B" about two shapes; both phrasings ("a triangle
 * above a circle" and "a circle below a triangle") are held out, colours and sizes aside.
 */
import type { Meaning, ObjectSpec } from "./meaning.ts";
import type { Colour, Relation, Shape } from "./vocab.ts";

export const HELD_OUT_PAIRS: readonly { colour: Colour; shape: Shape }[] = [
  { colour: "purple", shape: "triangle" },
  { colour: "cyan", shape: "circle" },
  { colour: "green", shape: "square" },
];

export const HELD_OUT_RELATIONS: readonly { a: Shape; relation: Relation; b: Shape }[] = [
  { a: "triangle", relation: "above", b: "circle" },
  { a: "square", relation: "left of", b: "triangle" },
];

const INVERSE: Readonly<Record<Relation, Relation>> = {
  "left of": "right of",
  "right of": "left of",
  above: "below",
  below: "above",
};

/** Whether a concrete colour-shape pair is held out. */
export function isHeldOutPair(colour: Colour, shape: Shape): boolean {
  return HELD_OUT_PAIRS.some((p) => p.colour === colour && p.shape === shape);
}

function specHeldOut(s: ObjectSpec): boolean {
  return s.colour !== undefined && isHeldOutPair(s.colour, s.shape);
}

/** Whether "a rel b" (or its inverse phrasing) states a held-out spatial fact. */
export function isHeldOutRelation(a: Shape, relation: Relation, b: Shape): boolean {
  return HELD_OUT_RELATIONS.some((h) =>
    (h.a === a && h.relation === relation && h.b === b) ||
    (h.a === b && INVERSE[h.relation] === relation && h.b === a)
  );
}

/** Why a meaning is held out ("pair", "relation"), or null when it may be trained on. */
export function heldOutKind(m: Meaning): "pair" | "relation" | null {
  switch (m.category) {
    case "single_object":
    case "colors":
    case "counting":
      return specHeldOut(m.object) ? "pair" : null;
    case "two_object":
    case "color_attr":
      return m.objects.some(specHeldOut) ? "pair" : null;
    case "position":
      if (isHeldOutRelation(m.objects[0].shape, m.relation, m.objects[1].shape)) return "relation";
      return m.objects.some(specHeldOut) ? "pair" : null;
  }
}

/** Whether a meaning contains any held-out combination. */
export function isHeldOut(m: Meaning): boolean {
  return heldOutKind(m) !== null;
}

/** The colours a free (unnamed) colour of `shape` is drawn from: never a held-out pair. */
export function trainColoursFor(shape: Shape, all: readonly Colour[]): Colour[] {
  return all.filter((c) => !isHeldOutPair(c, shape));
}
