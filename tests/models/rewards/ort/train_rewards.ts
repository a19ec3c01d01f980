import assert from "node:assert/strict";
import { join } from "node:path";
import {
  loadRewardsConfig,
  parseRewardsConfig,
} from "../../../../models/rewards/rewards_config.ts";
import { trainRewards } from "../../../../models/rewards/train_rewards.ts";

const TINY = new URL("../fixtures/tiny_rewards.json", import.meta.url);

Deno.test("trainRewards() writes three loadable rewards, measured metrics and a card", async () => {
  const out = await Deno.makeTempDir({ prefix: "capo-rewards-" });
  try {
    const m = await trainRewards({
      config: await loadRewardsConfig(TINY),
      outDir: out,
      configPath: "tiny.json",
    });
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "README.md",
      "aesthetic.json",
      "aesthetic.onnx",
      "alignment.json",
      "alignment.onnx",
      "metrics.json",
      "preference.json",
      "preference.onnx",
    ]);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(out, "metrics.json"))), m);
    const p = m.rewards.preference.quality as { pairs: number; accuracy: number };
    assert.equal(p.pairs, 48);
    assert.ok(p.accuracy >= 0 && p.accuracy <= 1);
    const c = m.correlations.proxy!;
    assert.deepEqual(c.names, ["aesthetic", "alignment", "preference", "shapeeval"]);
    assert.equal(c.n, 48);
    const card = await Deno.readTextFile(join(out, "README.md"));
    const auc = (m.rewards.alignment.quality as { auc: number }).auc;
    assert.ok(card.includes(`ROC AUC\n  **${auc.toFixed(3)}**`), "the card shows the measured AUC");
    assert.match(
      card,
      /On the proxy set \(no base-model samples were given: these are NOT base-model samples\)/,
    );
    assert.equal(m.rewards.preference.initFrom, "alignment");
    assert.match(card, /warm-started from alignment/);
    // --correlations-only keeps the trained records and recomputes the table
    const m2 = await trainRewards({
      config: await loadRewardsConfig(TINY),
      outDir: out,
      configPath: "tiny.json",
      correlationsOnly: true,
    });
    assert.deepEqual(m2.rewards, m.rewards);
    assert.deepEqual(m2.correlations.proxy, m.correlations.proxy);
    // the config and its seeds fix the weights: a second training writes the same bytes
    const out2 = await Deno.makeTempDir({ prefix: "capo-rewards-" });
    try {
      await trainRewards({
        config: await loadRewardsConfig(TINY),
        outDir: out2,
        configPath: "tiny.json",
      });
      for (const n of ["aesthetic", "alignment", "preference"]) {
        assert.deepEqual(
          await Deno.readFile(join(out2, `${n}.onnx`)),
          await Deno.readFile(join(out, `${n}.onnx`)),
          n,
        );
      }
    } finally {
      await Deno.remove(out2, { recursive: true });
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("parseRewardsConfig() names a bad key and a warm start from a different net", async () => {
  const raw = JSON.parse(await Deno.readTextFile(TINY));
  assert.throws(() => parseRewardsConfig({ ...raw, seed: 1 }), /config.seed is not a known key/);
  const bad = structuredClone(raw);
  bad.rewards.preference.net.width = 16;
  assert.throws(
    () => parseRewardsConfig(bad),
    /rewards.preference.net must equal the net of 'alignment'/,
  );
  const early = structuredClone(raw);
  early.rewards.alignment.initFrom = "preference";
  assert.throws(
    () => parseRewardsConfig(early),
    /initFrom must be null or a reward trained before it/,
  );
});

Deno.test("train-rewards CLI rejects unknown options, names and counts before training", async () => {
  const { main } = await import("../../../../cli/train_rewards.ts");
  await assert.rejects(
    main(["--only", "aesthetic,vila"]),
    /--only as 'vila' is not one of aesthetic, alignment, preference/,
  );
  await assert.rejects(main(["--steps", "0"]), /--steps as a positive integer: current value is 0/);
  await assert.rejects(
    main(["--epochs", "3"]),
    /Cannot use '--epochs' as capo train-rewards has no such flag: flags are --config, /,
  );
  await assert.rejects(main(["--out"]), /--out as it needs a value/);
});
