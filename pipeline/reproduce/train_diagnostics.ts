/**
 * A cell's training diagnostics, read from its trainer log (`<cell>/train/log.jsonl`, one line
 * per step, stages/train/preference_trainer.ts): the numbers that explain a cell's win-rates (SPEC
 * 1.5). Averaged over the last quarter of the steps (at least one), where the policy is
 * closest to the evaluated model:
 *
 *   loss         the preference loss (CaPO, DPO or IPO; scales differ between losses)
 *   accuracy     implicit accuracy, share of pairs with dR_theta > 0
 *   correlation  Pearson r of dR_theta with dR_ca over a batch (null steps skipped)
 *   dr_theta     mean implicit reward gap dR_theta
 *   dr_ca        mean calibrated target gap dR_ca (CaPO's regression target, before 1/beta)
 *   grad_norm    mean gradient norm before clipping (train.grad_clip)
 *   backward     mean share of pairs whose loss weight pushes them backwards (0 for DPO)
 *   probe_var    the last two-draw probe's Var(dR) and its bias^2 (E[dR] - c)^2
 *   probe_bias2  (docs/method.md §5.5); null when the log has no probe
 * beta comes from the cell's training summary.
 */
import { parseTrainLog } from "../../stages/train/train_log.ts";

export interface TrainDiagnostics {
  beta: number;
  steps: number;
  /** How many of the last steps were averaged. */
  window: number;
  loss: number;
  accuracy: number;
  correlation: number | null;
  dr_theta: number;
  dr_ca: number;
  // Absent in results recorded before these were logged.
  grad_norm?: number | null;
  backward?: number | null;
  probe_var?: number | null;
  probe_bias2?: number | null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOrNull = (xs: (number | null | undefined)[]) => {
  const ns = xs.filter((x): x is number => typeof x === "number");
  return ns.length === 0 ? null : mean(ns);
};

/** Diagnostics of a trainer log's text; `where` names the file in errors. */
export function trainDiagnostics(logText: string, beta: number, where: string): TrainDiagnostics {
  const steps = parseTrainLog(logText, where, ["step", "loss", "accuracy", "dr_theta", "dr_ca"]);
  if (steps.length === 0) throw new RangeError(`Cannot read ${where} as it holds no steps`);
  const window = Math.max(1, Math.floor(steps.length / 4));
  const last = steps.slice(-window);
  const probe = steps.findLast((s) => typeof s.probe_var === "number");
  const rs = last.flatMap((s) => (typeof s.correlation === "number" ? [s.correlation] : []));
  return {
    beta,
    steps: steps[steps.length - 1]!.step,
    window,
    loss: mean(last.map((s) => s.loss)),
    accuracy: mean(last.map((s) => s.accuracy)),
    correlation: rs.length === 0 ? null : mean(rs),
    dr_theta: mean(last.map((s) => s.dr_theta)),
    dr_ca: mean(last.map((s) => s.dr_ca)),
    grad_norm: meanOrNull(last.map((s) => s.grad_norm)),
    backward: meanOrNull(last.map((s) => s.backward)),
    probe_var: probe?.probe_var ?? null,
    probe_bias2: probe?.probe_bias2 ?? null,
  };
}
