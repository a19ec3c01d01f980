/**
 * The calibrator's options: the run config's `calibrate` section (lib/config_table.ts).
 */
import { key, num, record, type ValuesOf } from "../../lib/config_table.ts";

export const CALIBRATE = {
  tau: key(
    record(num({ gt: 0 })),
    {},
    "Per-reward temperature tau_k of Rca (docs/method.md); a reward not named gets the " +
      "generating model's tau (<generate.model>/tau.json, written by capo tau), else its " +
      "manifest's, else 1; naming a reward the run does not score is an error",
    "each shipped base carries a tau measured on its own samples of the fine-tuning prompts",
  ),
};

export type CalibrateConfig = ValuesOf<typeof CALIBRATE>;
