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
 *
 * Credentials come only from the environment, never from flags, so they do not show in `ps`.
 */
import {
  connect,
  type NatsConnection,
  nkeyAuthenticator,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { denoEnv } from "./shard_env.ts";

type Env = (name: string) => string | undefined;

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** Connection options and a description for messages (never the secret). */
export interface QueueConnection {
  options: NodeConnectionOptions;
  /** e.g. "nats://127.0.0.1:4222 as user 'capo'" */
  describe: string;
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
  const base: NodeConnectionOptions = {
    servers,
    name,
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
      describe: `${servers.join(",")} with an nkey`,
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
      describe: `${servers.join(",")} as user '${user}'`,
    };
  }
  throw new TypeError(
    "Cannot connect to the work queue without credentials: set CAPO_NATS_USER and " +
      "CAPO_NATS_PASSWORD, or CAPO_NATS_NKEY_SEED (or CAPO_NATS_NKEY_SEED_FILE); the queue " +
      "must not be open to anyone on the network",
  );
}

/** Connects; an error names the server and whether the credentials were refused. */
export async function connectQueue(conn: QueueConnection): Promise<NatsConnection> {
  try {
    return await connect(conn.options);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const refused = /authorization|authentication/i.test(why);
    throw new Error(
      `Cannot connect to the work queue at ${conn.describe}: ${
        refused ? `the server refused the credentials (${why})` : why
      }`,
      { cause: err },
    );
  }
}
