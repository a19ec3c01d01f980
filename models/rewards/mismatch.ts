/**
 * Scenes that do NOT show their caption: the negatives of the alignment reward and the
 * misaligned images the hidden annotator dislikes (docs/method.md §8). Five kinds, each a
 * minimal change to a scene laid out for the caption's meaning:
 *
 *   kind      applies to                        change
 *   colour    a named colour                    one such object gets another colour; for two
 *                                               named colours on different shapes, half the time
 *                                               the colours swap (attribute binding)
 *   count     counting                          one more or one fewer object (1..4)
 *   shape     always                            one object becomes another shape
 *   relation  position                          laid out in another relation instead
 *   missing   two-object captions               one of the two objects is left out
 *
 * Scene objects follow `objectsOf(meaning)` order (as `layoutFor` places them), which is how
 * an object is matched to the spec it was drawn for. With `split: "train"` no change creates
 * a held-out colour-shape pair or spatial fact (shapeworld/heldout.ts), so the eval prompts'
 * compositions stay unseen in training, as they are for the diffusion model.
 *
 * A change can leave the caption true by accident ("a circle to the left of a red circle"
 * laid out the other way round, when the free circle is also red, still shows it read with
 * the objects swapped), so a mismatched scene is redrawn until the scene's own geometry
 * (`sceneShows`, exact, not ShapeEval's detector) says it does not show the caption.
 */
import type { Rng } from "../../lib/rng.ts";
import { isHeldOutPair, isHeldOutRelation } from "../../shapeworld/heldout.ts";
import { fitsSpec, type Meaning, objectsOf } from "../../shapeworld/meaning.ts";
import { relationsBetween } from "../../shapeworld/relation.ts";
import { boxOf, layoutFor, type Scene } from "../../shapeworld/scene.ts";
import {
  type Colour,
  COLOURS,
  type Count,
  RELATIONS,
  type Shape,
  SHAPES,
} from "../../shapeworld/vocab.ts";
import { permutations } from "../../shapeworld/permutations.ts";

export const MISMATCH_KINDS = ["colour", "count", "shape", "relation", "missing"] as const;
export type MismatchKind = typeof MISMATCH_KINDS[number];

export type Split = "train" | "eval";

/** The mismatch kinds that can change a scene of `m` into one that does not show it. */
export function mismatchKinds(m: Meaning): MismatchKind[] {
  const out: MismatchKind[] = [];
  if (objectsOf(m).some((s) => s.colour !== undefined)) out.push("colour");
  if (m.category === "counting") out.push("count");
  out.push("shape");
  if (m.category === "position") out.push("relation");
  if (m.category === "two_object" || m.category === "color_attr" || m.category === "position") {
    out.push("missing");
  }
  return out;
}

/**
 * Whether a scene shows a meaning, read from the scene itself: its objects match the
 * meaning's one to one (shape, colour, size class) and, for position, a matching pair stands
 * in the relation as GenEval judges it (shapeworld/relation.ts).
 */
export function sceneShows(m: Meaning, scene: Scene): boolean {
  const specs = objectsOf(m);
  const objs = scene.objects;
  if (objs.length !== specs.length) return false;
  return permutations(specs.length).some((perm) => {
    if (!specs.every((s, i) => fitsSpec(s, objs[perm[i]!]!))) return false;
    if (m.category !== "position") return true;
    return relationsBetween(boxOf(objs[perm[0]!]!), boxOf(objs[perm[1]!]!)).has(m.relation);
  });
}

/** How many times a mismatch is redrawn before giving up (each try fails with p <= 1/2). */
const MAX_TRIES = 40;

/**
 * A scene for `m` changed by `kind` so that it does not show `m`. Throws a RangeError when
 * the kind does not apply to the meaning's category.
 */
export function mismatchedScene(m: Meaning, kind: MismatchKind, rng: Rng, split: Split): Scene {
  if (!mismatchKinds(m).includes(kind)) {
    throw new RangeError(
      `Cannot apply mismatch '${kind}' to a ${m.category} caption: it applies to ${
        mismatchKinds(m).join(", ")
      }`,
    );
  }
  for (let t = 0; t < MAX_TRIES; t++) {
    const scene = changeScene(m, kind, rng, split);
    if (!sceneShows(m, scene)) return scene;
  }
  throw new RangeError(
    `Cannot draw a '${kind}' mismatch for ${
      JSON.stringify(m)
    }: ${MAX_TRIES} tries all still show it`,
  );
}

function changeScene(m: Meaning, kind: MismatchKind, rng: Rng, split: Split): Scene {
  const allowed = (colour: Colour, shape: Shape) =>
    split === "eval" || !isHeldOutPair(colour, shape);
  switch (kind) {
    case "count": {
      if (m.category !== "counting") throw new Error("unreachable");
      const n = m.count === 1 ? 2 : m.count === 4 ? 3 : m.count + (rng.next() < 0.5 ? -1 : 1);
      return layoutFor({ ...m, count: n as Count }, rng);
    }
    case "relation": {
      if (m.category !== "position") throw new Error("unreachable");
      const [a, b] = m.objects;
      const others = RELATIONS.filter((r) =>
        r !== m.relation && (split === "eval" || !isHeldOutRelation(a.shape, r, b.shape))
      );
      return layoutFor({ ...m, relation: rng.pick(others) }, rng);
    }
    case "missing": {
      const scene = layoutFor(m, rng);
      scene.objects.splice(rng.int(scene.objects.length), 1);
      return scene;
    }
    case "shape": {
      const scene = layoutFor(m, rng);
      const o = rng.pick(scene.objects);
      const shapes = SHAPES.filter((s) => s !== o.shape && allowed(o.colour, s));
      o.shape = rng.pick(shapes);
      return scene;
    }
    case "colour": {
      const scene = layoutFor(m, rng);
      const specs = objectsOf(m);
      const named = specs.map((s, i) => (s.colour === undefined ? -1 : i)).filter((i) => i >= 0);
      // Attribute binding: "a red circle and a blue square" drawn as a blue circle and a red
      // square has every word's object and colour, only bound wrongly.
      if (named.length === 2 && specs[0]!.shape !== specs[1]!.shape && rng.next() < 0.5) {
        const [p, q] = scene.objects as [typeof scene.objects[0], typeof scene.objects[0]];
        if (allowed(q.colour, p.shape) && allowed(p.colour, q.shape) && p.colour !== q.colour) {
          [p.colour, q.colour] = [q.colour, p.colour];
          return scene;
        }
      }
      const o = scene.objects[rng.pick(named)]!;
      o.colour = rng.pick(COLOURS.filter((c) => c !== o.colour && allowed(c, o.shape)));
      return scene;
    }
  }
}
