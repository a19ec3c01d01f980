/** Builders of Sample / Scored / Calibrated groups for the stage tests. */
import type { Calibrated } from "../../schemas/calibrated.ts";
import type { Group } from "../../schemas/group.ts";
import type { Sample } from "../../schemas/sample.ts";
import type { Scored } from "../../schemas/scored.ts";
import { encodePng } from "../../lib/png.ts";

/** A group of n samples; sample i is a 4x4 image of grey level `level(i)`. */
export function sampleGroup(
  promptId: string,
  n: number,
  level = (i: number) => 10 * i,
): Group<Sample> {
  const rows = Array.from({ length: n }, (_, i): Sample => ({
    sample_id: `${promptId}:${i}`,
    prompt_id: promptId,
    prompt: `a prompt ${promptId}`,
    sample_index: i,
    seed: 7 * i,
    image: { bytes: encodePng(new Uint8Array(4 * 4 * 3).fill(level(i)), 4, 4), path: null },
    model_id: "test",
    sampler: "ddim",
    steps: 10,
    guidance: 1,
  }));
  return { prompt_id: promptId, prompt: `a prompt ${promptId}`, rows };
}

/** The id columns of row i of prompt `promptId` in scoredGroup and calibratedGroup. */
function idColumns(promptId: string, i: number): Record<string, unknown> {
  return {
    sample_id: `${promptId}:${i}`,
    prompt_id: promptId,
    prompt: `prompt ${promptId}`,
    sample_index: i,
    seed: 1000 + i,
  };
}

/** One Scored group; `rewards[k][i]` is reward k of sample i. */
export function scoredGroup(
  promptId: string,
  rewards: Record<string, readonly number[]>,
): Group<Scored> {
  const names = Object.keys(rewards);
  const n = rewards[names[0]!]!.length;
  const rows: Scored[] = [];
  for (let i = 0; i < n; i++) {
    const row = idColumns(promptId, i);
    for (const k of names) row[`reward_${k}`] = rewards[k]![i]!;
    rows.push(row as Scored);
  }
  return { prompt_id: promptId, prompt: `prompt ${promptId}`, rows };
}

/**
 * One Calibrated group whose `rca_<k>` are `points[i][k]` (and `reward_<k>` = `raw[i][k]`,
 * default the same values).
 */
export function calibratedGroup(
  promptId: string,
  rewards: readonly string[],
  points: readonly (readonly number[])[],
  raw: readonly (readonly number[])[] = points,
): Group<Calibrated> {
  const rows = points.map((p, i) => {
    const row = idColumns(promptId, i);
    rewards.forEach((k, j) => {
      row[`reward_${k}`] = raw[i]![j]!;
      row[`rca_${k}`] = p[j]!;
    });
    return row as Calibrated;
  });
  return { prompt_id: promptId, prompt: `prompt ${promptId}`, rows };
}
