/**
 * A tuning plan's outcome, as the docs' scripts read it: the plan, how many points it has, the
 * points recorded so far, and the point its rule chooses once every point is recorded (null
 * before: a choice from an incomplete grid would give that loss a smaller budget).
 */
import { parseSweepPlan, sharedConfig, type SweepPlan, sweepPoints } from "./sweep_plan.ts";
import { chosenPoint, readRecords, type SweepRecord } from "./sweep_record.ts";

export interface Tuning {
  plan: SweepPlan;
  points: number;
  records: SweepRecord[];
  chosen: SweepRecord["point"] | null;
}

export async function readTuning(planPath: string): Promise<Tuning> {
  const plan = parseSweepPlan(JSON.parse(await Deno.readTextFile(planPath)), planPath);
  const points = sweepPoints(plan, sharedConfig(plan, "runs")).length;
  const records = await readRecords(plan.record);
  return {
    plan,
    points,
    records,
    chosen: records.length >= points ? chosenPoint(records) : null,
  };
}
