import assert from "node:assert/strict";
import { join } from "node:path";
import { METHOD } from "../../pipeline/method.ts";
import { DEFAULTS, mergeConfig } from "../../pipeline/config.ts";
import { resolveRewards } from "../../stages/score/reward_set.ts";
import { rewardModelSha256 } from "../../stages/calibrate/base_tau.ts";
import { tauFileOf } from "../stages/calibrate/_tau_file.ts";

Deno.test("the calibrate stage takes tau from the config, else the generating base's tau.json, else the manifest", async () => {
  const base = await Deno.makeTempDir();
  const cfg = mergeConfig(DEFAULTS, {
    generate: { model: base },
    calibrate: { tau: { preference: 0.9 } },
  }, "test");
  const manifests = await resolveRewards(cfg.score);
  const byName = Object.fromEntries(manifests.map((m) => [m.name, m]));
  const entry = async (name: string, tau: number) => ({
    tau,
    model_sha256: await rewardModelSha256(byName[name]!.file),
  });
  await Deno.writeTextFile(
    join(base, "tau.json"),
    JSON.stringify(tauFileOf({
      aesthetic: await entry("aesthetic", 0.77),
      preference: await entry("preference", 0.5),
    })),
  );
  const spec = await METHOD.calibrate(cfg);
  const { tau } = spec.config as { tau: Record<string, number> };
  assert.equal(tau.aesthetic, 0.77, "the base's own tau");
  assert.equal(tau.alignment, byName.alignment!.tau ?? 1, "no base tau: the manifest's");
  assert.equal(tau.preference, 0.9, "the config's tau wins");
});
