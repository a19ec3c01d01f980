/**
 * The image size a run's model and rewards take, which imported images must have unless a
 * resize policy is set (`capo import --resize`): the model's `imageSize` (its config.json; the
 * trainer refuses any other size) and, where the model gives none, the first reward manifest
 * that refuses other sizes (`inputs.image.resize: "error"`). Reads only JSON, never a model.
 */
import { join } from "node:path";
import { readTextIfExists } from "../../lib/read_if_exists.ts";
import { resolveRewards } from "../../stages/score/reward_set.ts";
import type { RunConfig } from "../config.ts";

export interface ExpectedSize {
  width: number;
  height: number;
  /** What takes this size, for messages: "the run's model data/models/base-eps and rewards ...". */
  from: string;
}

export async function expectedImageSize(config: RunConfig): Promise<ExpectedSize | null> {
  let model: number | null = null;
  const text = await readTextIfExists(join(config.train.model, "config.json")).catch(() => null);
  if (text !== null) {
    try {
      const n = (JSON.parse(text) as { imageSize?: unknown }).imageSize;
      if (typeof n === "number" && Number.isInteger(n) && n > 0) model = n;
    } catch { /* not the model's config: the trainer says so when it runs */ }
  }
  let rewards: { name: string; size: [number, number] }[] = [];
  try {
    rewards = (await resolveRewards(config.score))
      .filter((m) => m.inputs.image.resize === "error")
      .map((m) => ({ name: m.name, size: m.inputs.image.size }));
  } catch { /* no rewards yet: the model alone decides */ }
  if (model !== null) {
    const agree = rewards.filter((r) => r.size[0] === model && r.size[1] === model);
    const also = agree.length > 0 ? ` and rewards ${agree.map((r) => r.name).join(", ")}` : "";
    return { width: model, height: model, from: `the run's model ${config.train.model}${also}` };
  }
  const first = rewards[0];
  if (first === undefined) return null;
  return { width: first.size[1], height: first.size[0], from: `the run's reward ${first.name}` };
}
