/**
 * Connecting to the work queue (pipeline/scale/nats_connect.ts) as docs/scale_out.md's
 * walkthrough does: the loopback server config of deploy/nats/nats-loopback.conf, started with
 * `-sd` as printed, accepts the walkthrough's user; a `localhost` URL under a net permission that
 * lists addresses (--allow-net=127.0.0.1, as this test runs) fails with a message saying why.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { connectionFromEnv, connectQueue } from "../../../pipeline/scale/nats_connect.ts";
import { natsServerBinary, SKIP_NATS } from "./fixtures/nats_server.ts";
import { freePort } from "./fixtures/free_port.ts";

const CONF = new URL("../../../deploy/nats/nats-loopback.conf", import.meta.url).pathname;

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("a localhost URL under a net permission of addresses fails saying to write 127.0.0.1", async () => {
  // No server needed: the name lookup itself is refused (getaddrinfo EPERM).
  const conn = connectionFromEnv(env({
    CAPO_NATS_URL: `nats://localhost:${freePort()}`,
    CAPO_NATS_USER: "capo",
    CAPO_NATS_PASSWORD: "pw",
  }));
  await assert.rejects(
    connectQueue(conn),
    /Cannot connect to the work queue at nats:\/\/localhost:(\d+) as user 'capo': getaddrinfo EPERM localhost \('localhost' is a host name, and Deno's net permission of this process does not allow looking it up: write the server's address, e.g. CAPO_NATS_URL=nats:\/\/127\.0\.0\.1:\1, or allow both the name and the address, --allow-net=localhost,127\.0\.0\.1:\1\)$/,
  );
});

Deno.test({
  name: "deploy/nats/nats-loopback.conf runs with -sd, on loopback, and only with a password",
  ignore: SKIP_NATS,
  fn: async () => {
    const bin = await natsServerBinary();
    const dir = await Deno.makeTempDir({ prefix: "capo-nats-loopback-" });
    const check = (vars: Record<string, string>) =>
      new Deno.Command(bin, {
        args: ["-t", "-c", CONF, "-sd", join(dir, "js")],
        env: vars,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
    try {
      const none = await check({});
      assert.notEqual(none.code, 0, "refuses to start without CAPO_NATS_PASSWORD");
      assert.match(new TextDecoder().decode(none.stderr), /CAPO_NATS_PASSWORD/);
      const ok = await check({ CAPO_NATS_PASSWORD: "pw" });
      assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
      // Started as the walkthrough prints it (on a free port instead of 4222), it takes the
      // walkthrough's user and stores JetStream under -sd.
      const port = freePort();
      const child = new Deno.Command(bin, {
        args: ["-c", CONF, "-sd", join(dir, "js"), "-p", String(port), "-l", join(dir, "log")],
        env: { CAPO_NATS_PASSWORD: "s3cret" },
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        const url = `nats://127.0.0.1:${port}`;
        // Connect only once the server says it is ready: a connection made while it is still
        // starting can be reset, and the client reports that reset outside any promise.
        const log = join(dir, "log");
        for (let i = 0;; i++) {
          const text = await Deno.readTextFile(log).catch(() => "");
          if (text.includes("Server is ready")) break;
          if (i > 200) throw new Error(`nats-server did not start: ${text}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const nc = await connectQueue(connectionFromEnv(env({
          CAPO_NATS_URL: url,
          CAPO_NATS_USER: "capo",
          CAPO_NATS_PASSWORD: "s3cret",
        })));
        await nc.close();
        // The server closes a refused login's socket; the nats client (node:net) then reports
        // that reset as an uncaught ECONNRESET after connectQueue has already rejected. Only that
        // error, and only while this refused login winds down, is expected here.
        const resetAfterRefusal = (e: ErrorEvent) => {
          if ((e.error as { code?: string })?.code === "ECONNRESET") e.preventDefault();
        };
        globalThis.addEventListener("error", resetAfterRefusal);
        try {
          await assert.rejects(
            connectQueue(connectionFromEnv(env({
              CAPO_NATS_URL: url,
              CAPO_NATS_USER: "capo",
              CAPO_NATS_PASSWORD: "wrong",
            }))),
            /the server refused the credentials/,
          );
          await new Promise((r) => setTimeout(r, 200));
        } finally {
          globalThis.removeEventListener("error", resetAfterRefusal);
        }
        await Deno.stat(join(dir, "js", "jetstream"));
      } finally {
        child.kill("SIGTERM");
        await child.status;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
