/**
 * Connecting to the NATS server of the work queue, with credentials from the environment.
 *
 * The queue must not be open to anyone on the network, so a connection without credentials is
 * refused here before it is tried (the server refuses wrong ones):
 *
 * | variable                                 | meaning                                               |
 * | ---------------------------------------- | ----------------------------------------------------- |
 * | `CAPO_NATS_URL`                          | server(s), comma-separated; default nats://127.0.0.1:4222 |
 * | `CAPO_NATS_USER`, `CAPO_NATS_PASSWORD`   | user and password (server `authorization.users`)      |
 * | `CAPO_NATS_NKEY_SEED`                    | an nkey user seed (`SU...`), or                       |
 * | `CAPO_NATS_NKEY_SEED_FILE`               | a file holding it (a mounted Kubernetes Secret)       |
 * | `CAPO_NATS_TLS_CA`, `_CERT`, `_KEY`      | TLS: the server's CA, a client cert (nats_tls.ts)     |
 *
 * Credentials come only from the environment, never from flags, so they do not show in `ps`.
 */
import {
  connect,
  type NatsConnection,
  nkeyAuthenticator,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { logger } from "../../lib/log.ts";
import { denoEnv } from "./shard_env.ts";
import { DEFAULT_NATS_URL, natsServers } from "./nats_servers.ts";
import { describeTls, plaintextWarning, tlsFromEnv } from "./nats_tls.ts";

type Env = (name: string) => string | undefined;

export { DEFAULT_NATS_URL };

/** Connection options and a description for messages (never the secret). */
export interface QueueConnection {
  options: NodeConnectionOptions;
  /** e.g. "nats://127.0.0.1:4222 as user 'capo'" */
  describe: string;
  /** Plaintext to a server off this machine (pipeline/scale/nats_tls.ts), logged on connect. */
  warning: string | null;
}

/** Options from the environment; throws naming the variables when no credentials are set. */
export function connectionFromEnv(env: Env = denoEnv, name = "capo"): QueueConnection {
  const url = env("CAPO_NATS_URL") || DEFAULT_NATS_URL;
  const servers = url.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const user = env("CAPO_NATS_USER");
  const password = env("CAPO_NATS_PASSWORD");
  let seed = env("CAPO_NATS_NKEY_SEED");
  const seedFile = env("CAPO_NATS_NKEY_SEED_FILE");
  if (!seed && seedFile) {
    try {
      seed = Deno.readTextFileSync(seedFile).trim();
    } catch (err) {
      throw new TypeError(
        `Cannot read CAPO_NATS_NKEY_SEED_FILE ${seedFile}: ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
  }
  // TLS: CAPO_NATS_TLS_CA / _CERT / _KEY (pipeline/scale/nats_tls.ts).
  const addresses = natsServers(url);
  const tls = tlsFromEnv(env, addresses);
  const warning = plaintextWarning(addresses, tls);
  const over = tls === null ? "" : ` ${describeTls(tls)}`;
  const base: NodeConnectionOptions = {
    servers,
    name,
    ...(tls !== null ? { tls } : {}),
    // A worker survives a short outage of the server; the first connect fails fast.
    maxReconnectAttempts: 30,
    reconnectTimeWait: 1000,
  };
  if (seed && user) {
    throw new TypeError(
      "Cannot connect to the work queue as both CAPO_NATS_USER and an nkey seed are set: " +
        "set one of them",
    );
  }
  if (seed) {
    if (!/^SU[A-Z2-7]{56}$/.test(seed)) {
      throw new TypeError(
        "Cannot use the nkey seed (CAPO_NATS_NKEY_SEED[_FILE]) as it must be a user seed, " +
          `58 characters starting 'SU': current value has ${seed.length} characters ` +
          `starting '${seed.slice(0, 2)}'`,
      );
    }
    return {
      options: { ...base, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) },
      describe: `${servers.join(",")} with an nkey${over}`,
      warning,
    };
  }
  if (user) {
    if (!password) {
      throw new TypeError(
        "Cannot connect to the work queue as CAPO_NATS_USER is set but CAPO_NATS_PASSWORD is not",
      );
    }
    return {
      options: { ...base, user, pass: password },
      describe: `${servers.join(",")} as user '${user}'${over}`,
      warning,
    };
  }
  throw new TypeError(
    "Cannot connect to the work queue without credentials: set CAPO_NATS_USER and " +
      "CAPO_NATS_PASSWORD, or CAPO_NATS_NKEY_SEED (or CAPO_NATS_NKEY_SEED_FILE); the queue " +
      "must not be open to anyone on the network",
  );
}

/**
 * Why a connection was refused by Deno's permissions, when it was. A process whose
 * `--allow-net` lists addresses may not look up a host name (getaddrinfo EPERM), even
 * `localhost`, even with `--allow-net=localhost:4222`: Deno checks the lookup against the bare
 * name and the connection against the address it resolves to, so both must be allowed.
 */
function netPermissionHint(why: string, servers: readonly string[]): string {
  if (!/EPERM|NotCapable|Requires net access/i.test(why)) return "";
  const named = natsServers(servers.join(",")).find((s) => !/^[\d.]+$|:/.test(s.host));
  if (named === undefined) {
    return " (Deno's net permission of this process does not include the server's address)";
  }
  const ip = named.host === "localhost" ? "127.0.0.1" : "<its address>";
  const denied = /EPERM/.test(why)
    ? "does not allow looking it up"
    : "does not include the address it resolves to";
  return ` ('${named.host}' is a host name, and Deno's net permission of this process ${denied}: ` +
    `write the server's address, e.g. CAPO_NATS_URL=nats://${ip}:` +
    `${named.port}, or allow both the name and the address, --allow-net=${named.host},` +
    `${ip}:${named.port})`;
}

/** Connects; an error names the server and whether the credentials were refused. */
export async function connectQueue(conn: QueueConnection): Promise<NatsConnection> {
  if (conn.warning !== null) logger("queue").warn(conn.warning);
  try {
    return await connect(conn.options);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const refused = /authorization|authentication/i.test(why);
    const tlsHint = /certificate|self.signed|unknown ?issuer|UnknownIssuer/i.test(why)
      ? ": the server's TLS certificate is not signed by a CA capo trusts (set CAPO_NATS_TLS_CA " +
        "to the CA file that signed it)"
      : /tls is not available/i.test(why)
      ? ": TLS is configured (CAPO_NATS_TLS_*) but the server does not offer it"
      : conn.options.tls && !conn.options.tls.certFile &&
          /timeout|BadCertificate|CertificateRequired/i.test(why)
      ? " (if the server verifies client certificates, set CAPO_NATS_TLS_CERT and " +
        "CAPO_NATS_TLS_KEY to a certificate its CA signed)"
      : "";
    const servers = [conn.options.servers ?? []].flat();
    throw new Error(
      `Cannot connect to the work queue at ${conn.describe}: ${
        refused ? `the server refused the credentials (${why})` : why
      }${tlsHint}${netPermissionHint(why, servers)}`,
      { cause: err },
    );
  }
}
