/**
 * The work queue's servers as `CAPO_NATS_URL` names them (comma-separated `nats://host:port`,
 * `tls://host:port` or `host:port`; port 4222 when left out). Free of the NATS client, so the
 * task launcher (cli/launch.ts) can scope `--allow-net` to exactly these hosts.
 */

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
const DEFAULT_PORT = 4222;

export interface NatsServerAddress {
  /** As written in CAPO_NATS_URL. */
  url: string;
  /** Host name or IP, without IPv6 brackets. */
  host: string;
  port: number;
  /** 127.0.0.0/8, ::1 or localhost: traffic never leaves the machine. */
  loopback: boolean;
}

/** Parses CAPO_NATS_URL; throws a TypeError naming a server it cannot read. */
export function natsServers(url: string): NatsServerAddress[] {
  return url.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => {
    let u: URL;
    try {
      u = new URL(/^[a-z]+:\/\//i.test(s) ? s : `nats://${s}`);
    } catch {
      throw new TypeError(`Cannot read the NATS server '${s}' in CAPO_NATS_URL as a URL`);
    }
    const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
    if (host === "") {
      throw new TypeError(`Cannot read a host in the NATS server '${s}' (CAPO_NATS_URL)`);
    }
    return {
      url: s,
      host,
      port: u.port === "" ? DEFAULT_PORT : Number(u.port),
      loopback: host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host),
    };
  });
}

const isIp = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(":");
const hostPort = (h: string, port: number) => `${h.includes(":") ? `[${h}]` : h}:${port}`;

/**
 * `--allow-net` entries reaching exactly these servers. Deno checks a host name twice: its
 * lookup (the name, any port) and then the connection (the address it resolved to, this port),
 * so a name needs both; `addressesOf(name)` gives its addresses (cli/launch.ts looks them up).
 */
export function netPermission(
  servers: readonly NatsServerAddress[],
  addressesOf: (host: string) => readonly string[] = () => [],
): string[] {
  const out: string[] = [];
  for (const s of servers) {
    if (isIp(s.host)) {
      out.push(hostPort(s.host, s.port));
      continue;
    }
    const addresses = s.host === "localhost" ? ["127.0.0.1", "::1"] : addressesOf(s.host);
    out.push(s.host, ...addresses.map((a) => hostPort(a, s.port)));
  }
  return [...new Set(out)];
}
