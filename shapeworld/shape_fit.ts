/**
 * Shape classification by template fitting (ShapeEval's step 5, docs/method.md §8).
 *
 * Notation: A the object's mass (area in pixels), (cx, cy) its alpha-weighted centroid,
 * e the side of a shape's bounding box, FILL[shape] = area / e^2.
 *   1. For each shape, e = sqrt(A / FILL[shape]) and the template is placed so that its own
 *      centroid is (cx, cy) (a triangle's centroid lies e/6 below its box centre).
 *   2. Render each template's coverage (as the renderer does) on a padded window.
 *   3. Compare with the observed alpha: mismatch = sum |observed - template| / A.
 *   4. Try sharp templates first, then blurred ones at increasing sigma (blur preserves mass
 *      and centroid, so only the edges change); stop once the fit stops improving.
 */
import { gaussianKernel } from "./degrade.ts";
import { coverage } from "./render.ts";
import type { SceneObject } from "./scene.ts";
import { type Shape, SHAPES } from "./vocab.ts";

/** Area of a shape with bounding-box side e, as a fraction of e^2. */
export const FILL: Readonly<Record<Shape, number>> = {
  circle: Math.PI / 4,
  square: 1,
  triangle: 0.5,
};

/** Blur levels (Gaussian sigma, pixels) the templates are tried at, sharpest first. */
const TEMPLATE_BLURS = [0, 0.5, 0.8, 1.1, 1.4, 1.7, 2, 2.5];
/** A sharp template this close (mean absolute alpha error per unit mass) is taken at once. */
const SHARP_ENOUGH = 0.08;
/** Margin of the template window beyond the region, room for the widest blur kernel. */
const PAD = Math.ceil(3 * TEMPLATE_BLURS[TEMPLATE_BLURS.length - 1]!);

/** Separable Gaussian blur of a w x h float window with zero outside (templates fade to 0). */
function blurWindow(v: Float64Array, w: number, h: number, sigma: number): Float64Array {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(v.length), out = new Float64Array(v.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = Math.max(-r, -x); i <= r && x + i < w; i++) s += k[i + r]! * v[y * w + x + i]!;
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = Math.max(-r, -y); i <= r && y + i < h; i++) {
        s += k[i + r]! * tmp[(y + i) * w + x]!;
      }
      out[y * w + x] = s;
    }
  }
  return out;
}

export interface ShapeFitInput {
  /** Observed alpha in [0, 1] over the window, row-major; NaN where a pixel is not the object's. */
  observed: Float64Array;
  /** Window origin in image pixels, and its size. */
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** Mass (area) and alpha-weighted centroid, image pixels. */
  mass: number;
  cx: number;
  cy: number;
}

export interface ShapeFit {
  shape: Shape;
  /** Side of the fitted shape's bounding box, pixels. */
  extent: number;
  /** Mean absolute alpha error per unit mass of the best template (0 = exact). */
  mismatch: number;
}

/** The shape (and its extent) whose template best explains the observed alpha. */
export function fitShape(input: ShapeFitInput): ShapeFit {
  const { observed, x0, y0, width, height, mass, cx, cy } = input;
  const tw = width + 2 * PAD, th = height + 2 * PAD;
  // 1-2. templates of this mass at this centroid
  const templates = SHAPES.map((shape) => {
    const extent = Math.sqrt(mass / FILL[shape]);
    const tmpl: SceneObject = {
      shape,
      colour: "red", // unused by coverage()
      size: "small",
      extent,
      x: cx,
      y: shape === "triangle" ? cy - extent / 6 : cy,
    };
    const cov = new Float64Array(tw * th);
    for (let j = 0; j < th; j++) {
      for (let i = 0; i < tw; i++) cov[j * tw + i] = coverage(tmpl, x0 - PAD + i, y0 - PAD + j);
    }
    return { shape, extent, cov };
  });
  // 3. mismatch over the object's pixels
  const mismatch = (t: Float64Array): number => {
    let err = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = observed[y * width + x]!;
        if (Number.isNaN(o)) continue;
        err += Math.abs(o - t[(y + PAD) * tw + (x + PAD)]!);
      }
    }
    return err / mass;
  };
  // 4. sharp first, then blurrier while the fit improves
  let best: ShapeFit = { shape: SHAPES[0], extent: 0, mismatch: Infinity };
  let previous = Infinity;
  for (const sigma of TEMPLATE_BLURS) {
    let here = Infinity;
    for (const t of templates) {
      const err = mismatch(sigma === 0 ? t.cov : blurWindow(t.cov, tw, th, sigma));
      here = Math.min(here, err);
      if (err < best.mismatch) best = { shape: t.shape, extent: t.extent, mismatch: err };
    }
    // The fit improves with sigma up to the image's blur and worsens after it: stop there.
    if ((sigma === 0 && best.mismatch < SHARP_ENOUGH) || here > previous) break;
    previous = here;
  }
  return best;
}
