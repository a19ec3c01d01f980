/**
 * TLS to the work queue, from the environment like the credentials (pipeline/scale/
 * nats_connect.ts), so a Kubernetes Secret mounts the files and nothing shows in `ps`:
 *
 * | variable                                  | meaning                                              |
 * | ----------------------------------------- | ---------------------------------------------------- |
 * | `CAPO_NATS_TLS_CA`                        | PEM file of the CA that signed the server's cert     |
 * | `CAPO_NATS_TLS_CERT`, `CAPO_NATS_TLS_KEY` | a client cert and its key (servers with `verify`)    |
 *
 * With a CA the connection is TLS or nothing: a server without TLS is refused, and so is one
 * whose certificate the CA did not sign. A `tls://` URL asks for TLS with the system's CAs.
 * Without TLS, a server off this machine gets a warning: the password (or nkey signature) and
 * every shard's flags cross the network in the clear.
 */
import type { NatsServerAddress } from "./nats_servers.ts";

type Env = (name: string) => string | undefined;

export interface NatsTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** The TLS options, or null for plaintext; throws naming a variable that is wrong. */
export function tlsFromEnv(env: Env, servers: readonly NatsServerAddress[]): NatsTls | null {
  const ca = env("CAPO_NATS_TLS_CA") || undefined;
  const cert = env("CAPO_NATS_TLS_CERT") || undefined;
  const key = env("CAPO_NATS_TLS_KEY") || undefined;
  if ((cert === undefined) !== (key === undefined)) {
    throw new TypeError(
      `Cannot use a client certificate as ${cert ? "CAPO_NATS_TLS_CERT" : "CAPO_NATS_TLS_KEY"} ` +
        `is set but ${cert ? "CAPO_NATS_TLS_KEY" : "CAPO_NATS_TLS_CERT"} is not: set both`,
    );
  }
  for (
    const [name, path] of [["CAPO_NATS_TLS_CA", ca], ["CAPO_NATS_TLS_CERT", cert], [
      "CAPO_NATS_TLS_KEY",
      key,
    ]] as const
  ) {
    if (path === undefined) continue;
    try {
      if (!Deno.statSync(path).isFile) throw new Error("it is not a file");
    } catch (err) {
      throw new TypeError(
        `Cannot read ${name} ${path}: ${err instanceof Error ? err.message : err}`,
      );
    }
  }
  const wantsTls = servers.some((s) => /^tls:\/\//i.test(s.url));
  if (ca === undefined && cert === undefined && !wantsTls) return null;
  return {
    ...(ca !== undefined ? { caFile: ca } : {}),
    ...(cert !== undefined ? { certFile: cert, keyFile: key! } : {}),
  };
}

/** The warning for plaintext to a server off this machine, or null. */
export function plaintextWarning(
  servers: readonly NatsServerAddress[],
  tls: NatsTls | null,
): string | null {
  const remote = servers.filter((s) => !s.loopback);
  if (tls !== null || remote.length === 0) return null;
  return `the work queue connection to ${remote.map((s) => s.url).join(", ")} is not ` +
    `encrypted: the credentials and every shard's flags cross the network in the clear. Set ` +
    `CAPO_NATS_TLS_CA to the CA file of the server's certificate (docs/scale_out.md, "TLS")`;
}

/** "over TLS (CA ca.pem, client cert)" / "in plaintext", for messages. */
export function describeTls(tls: NatsTls | null): string {
  if (tls === null) return "in plaintext";
  const parts = [tls.caFile ? `CA ${tls.caFile}` : "system CAs"];
  if (tls.certFile) parts.push(`client cert ${tls.certFile}`);
  return `over TLS (${parts.join(", ")})`;
}
