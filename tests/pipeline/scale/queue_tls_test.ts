/**
 * TLS to the work queue (pipeline/scale/nats_tls.ts): a second nats-server with `tls {}` and
 * certificates made here with openssl (fixtures/tls_certs.ts). Workers are real `capo worker`
 * processes running the fixture stage list.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readManifest } from "../../../pipeline/stage_store.ts";
import { connectionFromEnv, connectQueue } from "../../../pipeline/scale/nats_connect.ts";
import { natsServers, netPermission } from "../../../pipeline/scale/nats_servers.ts";
import { plaintextWarning, tlsFromEnv } from "../../../pipeline/scale/nats_tls.ts";
import { submitShards } from "../../../pipeline/scale/queue.ts";
import { tempRun } from "../fixtures/util.ts";
import { natsServerBinary, SKIP_NATS, startNatsServer } from "./fixtures/nats_server.ts";
import { makeCerts, OPENSSL_MISSING } from "./fixtures/tls_certs.ts";
import { credentials, spawnWorker, type WorkerEvent } from "./fixtures/worker_process.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];
const ignore = SKIP_NATS || OPENSSL_MISSING !== null;

/** A one-shard queue `q` on `srv`, submitted over TLS with `tlsEnv`. */
async function oneShardQueue(url: string, env: Record<string, string>, dir: string, q: string) {
  const { promptsPath } = await tempRun(6).then(async (t) => {
    await Deno.copyFile(t.promptsPath, join(dir, `${q}.txt`));
    await Deno.remove(t.dir, { recursive: true });
    return { promptsPath: join(dir, `${q}.txt`) };
  });
  const nc = await connectQueue(connectionFromEnv(envOf({ ...env, CAPO_NATS_URL: url })));
  await submitShards(nc, {
    queue: q,
    count: 1,
    args: ["--runs-dir", join(dir, q), "--prompts", promptsPath],
    ackWaitMs: 10_000,
    maxDeliver: 3,
  });
  await nc.close();
  return join(dir, q, "default");
}

Deno.test({
  name:
    "over a tls {} server, a worker with the CA connects and finishes a shard, and one without it is refused",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "capo-tls-test-" });
    const certs = await makeCerts(dir);
    const srv = await startNatsServer({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    try {
      const withCa = { ...credentials(srv), CAPO_NATS_TLS_CA: certs.ca };
      const runDir = await oneShardQueue(srv.url, withCa, dir, "tls");
      const refused = await spawnWorker(0, ["--queue", "tls"], credentials(srv), dir, []).finished;
      assert.equal(refused.status.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        /Cannot connect to the work queue at nats:\/\/127\.0\.0\.1:\d+ as user 'capo': .*: the server's TLS certificate is not signed by a CA capo trusts \(set CAPO_NATS_TLS_CA/,
      );
      const events: WorkerEvent[] = [];
      const ok = await spawnWorker(1, ["--queue", "tls", "--pull-ms", "1000"], withCa, dir, events)
        .finished;
      assert.equal(ok.status.code, 0, ok.stderr.slice(-2000));
      assert.ok(
        events.some((e) =>
          e.msg.startsWith("connected to") && /over TLS \(CA .*ca\.pem\)/.test(e.msg)
        ),
        JSON.stringify(events.slice(0, 3)),
      );
      assert.deepEqual(events.filter((e) => e.msg === "shard done").map((e) => e.shard), ["0/1"]);
      const m = await readManifest(join(runDir, "select"), { index: 0, count: 1 });
      assert.equal(m?.complete, true);
    } finally {
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a server that verifies client certificates takes a worker with the CA and a client cert, and refuses one with the CA alone",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "capo-tls-test-" });
    const certs = await makeCerts(dir);
    const srv = await startNatsServer({
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, verify: true },
    });
    try {
      const mtls = {
        ...credentials(srv),
        CAPO_NATS_TLS_CA: certs.ca,
        CAPO_NATS_TLS_CERT: certs.clientCert,
        CAPO_NATS_TLS_KEY: certs.clientKey,
      };
      await oneShardQueue(srv.url, mtls, dir, "mtls");
      const events: WorkerEvent[] = [];
      const caOnly = { ...credentials(srv), CAPO_NATS_TLS_CA: certs.ca };
      const refused = await spawnWorker(0, ["--queue", "mtls"], caOnly, dir, events).finished;
      assert.notEqual(refused.status.code, 0, refused.stderr);
      // The server's alert reaches the client either as the handshake's error or, once the
      // handshake has returned, as an uncaught socket error (exit 1 either way).
      assert.match(
        refused.stderr,
        /over TLS \(CA .*\): .*if the server verifies client certificates, set CAPO_NATS_TLS_CERT and CAPO_NATS_TLS_KEY|fatal alert: (BadCertificate|CertificateRequired)/,
      );
      const ok = await spawnWorker(1, ["--queue", "mtls", "--pull-ms", "1000"], mtls, dir, events)
        .finished;
      assert.equal(ok.status.code, 0, ok.stderr.slice(-2000));
      assert.deepEqual(events.filter((e) => e.msg === "shard done").map((e) => e.worker), [1]);
    } finally {
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "deploy/nats/nats-server-tls.conf is valid with the certificates from its environment",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "capo-tls-test-" });
    try {
      const certs = await makeCerts(dir);
      const conf = new URL("../../../deploy/nats/nats-server-tls.conf", import.meta.url).pathname;
      const r = await new Deno.Command(await natsServerBinary(), {
        args: ["-t", "-c", conf],
        env: {
          CAPO_NATS_PASSWORD: "pw",
          CAPO_NATS_SERVER_CERT: certs.serverCert,
          CAPO_NATS_SERVER_KEY: certs.serverKey,
          CAPO_NATS_TLS_CA: certs.ca,
        },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a worker warns before talking plaintext to a server off this machine", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capo-tls-test-" });
  try {
    const events: WorkerEvent[] = [];
    const r = await spawnWorker(
      0,
      ["--queue", "q"],
      {
        CAPO_NATS_URL: "nats://10.255.255.1:4222",
        CAPO_NATS_USER: "capo",
        CAPO_NATS_PASSWORD: "x",
      },
      dir,
      events,
    ).finished;
    assert.equal(r.status.code, 1); // --allow-net=127.0.0.1 in this test: the dial is refused
    const warn = events.find((e) => e.level === "warn");
    assert.match(
      warn?.msg ?? r.stderr,
      /the work queue connection to nats:\/\/10\.255\.255\.1:4222 is not encrypted: the credentials and every shard's flags cross the network in the clear\. Set CAPO_NATS_TLS_CA/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TLS settings come from CAPO_NATS_TLS_*, checked by name; loopback plaintext is not warned about", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capo-tls-test-" });
  const ca = join(dir, "ca.pem");
  await Deno.writeTextFile(ca, "-----BEGIN CERTIFICATE-----\n");
  const servers = natsServers("nats://127.0.0.1:4222, tls://queue.example.org, [::1]:5222");
  assert.deepEqual(
    servers.map((s) => [s.host, s.port, s.loopback]),
    [["127.0.0.1", 4222, true], ["queue.example.org", 4222, false], ["::1", 5222, true]],
  );
  assert.deepEqual(netPermission(servers, () => ["192.0.2.9"]), [
    "127.0.0.1:4222",
    "queue.example.org",
    "192.0.2.9:4222",
    "[::1]:5222",
  ]);
  const local = natsServers("nats://127.0.0.1:4222");
  assert.equal(tlsFromEnv(envOf({}), local), null);
  assert.equal(plaintextWarning(local, null), null);
  assert.deepEqual(tlsFromEnv(envOf({}), servers), {}, "a tls:// URL asks for TLS");
  assert.deepEqual(tlsFromEnv(envOf({ CAPO_NATS_TLS_CA: ca }), local), { caFile: ca });
  assert.throws(
    () => tlsFromEnv(envOf({ CAPO_NATS_TLS_CERT: ca }), local),
    /CAPO_NATS_TLS_CERT is set but CAPO_NATS_TLS_KEY is not: set both/,
  );
  assert.throws(
    () => tlsFromEnv(envOf({ CAPO_NATS_TLS_CA: join(dir, "nope.pem") }), local),
    /Cannot read CAPO_NATS_TLS_CA .*nope\.pem: /,
  );
  const conn = connectionFromEnv(envOf({
    CAPO_NATS_URL: "nats://10.0.0.5:4222",
    CAPO_NATS_USER: "capo",
    CAPO_NATS_PASSWORD: "pw",
    CAPO_NATS_TLS_CA: ca,
  }));
  assert.equal(conn.describe, `nats://10.0.0.5:4222 as user 'capo' over TLS (CA ${ca})`);
  assert.equal(conn.warning, null);
  await Deno.remove(dir, { recursive: true });
});
