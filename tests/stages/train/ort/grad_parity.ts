/**
 * The onnxruntime gradient of each preference loss (stages/train/preference_graph.ts) against
 * tfjs autodiff of the reference formulas (implicit_reward.ts, losses.ts) on the tfjs forward,
 * for every parameter tensor, eps and flow, on random weights and inputs. err_ref, w(t) and
 * dR_ca are fixed random inputs, as the trainer feeds them. The unbiased kinds take two
 * estimates (2 draws), and CaPO is also checked with K = 3 draws per estimate (issue #19).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../../models/backend.ts";
import { OrtTrainSession } from "../../../../models/ort_train_session.ts";
import { Rng } from "../../../../lib/rng.ts";
import { denoisingError, implicitRewardGaps } from "../../../../stages/train/implicit_reward.ts";
import { gapEstimates, LOSS_KINDS, pairLoss } from "../../../../stages/train/losses.ts";
import { preferenceGraph } from "../../../../stages/train/preference_graph.ts";
import { randomWeights, tinyConfig } from "../../../models/_tiny.ts";
import { assertGradientsMatch, randomBatch, tfjsGradients } from "../../../models/_grad_compare.ts";

await initBackend();

// With these weights and inputs h(x+) - h(x-) is of order 1; beta 0.5 keeps dR_theta within
// +-5, where every loss has a curved, non-saturated gradient (DPO's sigmoid included).
const BETA = 0.5;

// K draws average K independent gaps, which shrinks them: beta * K keeps dR_theta of order 1.
const CASES = [...LOSS_KINDS.map((k) => [k, 1] as const), ["capo", 3] as const];

for (const p of ["eps", "flow"] as const) {
  for (const [kind, K] of CASES) {
    const draws = K === 1 ? "" : `, ${K} draws per pair`;
    Deno.test(`${kind} gradients on onnxruntime match tfjs autodiff for every tensor (${p}${draws})`, async () => {
      const cfg = tinyConfig(p);
      const weights = randomWeights(cfg, p === "eps" ? 21 : 22);
      const G = gapEstimates(kind), D = G * K;
      const B = 3, N = 2 * B * D, S = cfg.imageSize, C = cfg.channels;
      const b = randomBatch(cfg, N, 6);
      const rng = new Rng(9);
      const errRef = Float32Array.from({ length: N }, () => 0.5 + rng.next());
      const w = Float32Array.from({ length: B * D }, () => 0.3 + rng.next());
      const dRca = Float32Array.from({ length: B }, () => rng.next() - 0.5);
      const graph = preferenceGraph(cfg, B, kind, BETA * K, K);
      const session = await OrtTrainSession.create(graph, { threads: 1 });
      const got = await session.run(graph.layout.pack(weights), {
        x: [b.x, [N, S, S, C]],
        t: [b.t, [N]],
        tokens: [b.tokens, [N, cfg.maxTokens]],
        target: [b.target, [N, S, S, C]],
        err_ref: [errRef, [N]],
        w: [w, [B * D]],
        dr_ca: [dRca, [B]],
      });
      await session.release();
      let dR: Float32Array = new Float32Array(B);
      const ref = tfjsGradients(cfg, weights, b.x, b.t, b.tokens, (pred) => {
        const errTheta = denoisingError(pred, tf.tensor(b.target, [N, S, S, C]));
        const gaps = implicitRewardGaps(errTheta, tf.tensor(errRef), tf.tensor(w), BETA * K, K, G);
        const gap = G === 1 ? gaps[0]! : tf.div(tf.add(gaps[0]!, gaps[1]!), 2);
        dR = gap.dataSync() as Float32Array;
        return tf.mean(pairLoss(kind, gaps[0]!, tf.tensor(dRca), gaps[1])) as tf.Scalar;
      });
      assert.ok(
        Math.abs(got.loss - ref.loss) <= 1e-5 * Math.max(1, ref.loss),
        `loss ${got.loss} vs ${ref.loss}`,
      );
      for (let j = 0; j < B; j++) {
        const [a, e] = [got.extras.dr_theta![j]!, dR[j]!];
        assert.ok(
          Math.abs(a - e) <= 1e-5 * Math.max(1, Math.abs(e)),
          `dR_theta[${j}] ${a} vs ${e}`,
        );
      }
      assert.ok(
        dR.some((v) => Math.abs(v) > 0.2) && dR.every((v) => Math.abs(v) < 5),
        `dR_theta should be of order 1: ${dR}`,
      );
      assertGradientsMatch(graph.layout.unpack(got.grad), ref.grads, `${kind} ${p}${draws}`);
    });
  }
}
