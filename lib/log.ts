/**
 * The one logger: levels, human lines on a terminal, JSON lines otherwise.
 *
 * `CAPO_LOG=debug|info|warn|error` sets the level (default info); `CAPO_LOG_FORMAT=json|text`
 * overrides the terminal detection. Logs go to stderr so stdout stays free for data
 * (`capo export` writes Arrow IPC there).
 */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: keep the defaults
  }
}

function parseLevel(v: string | undefined): Level {
  return v === "debug" || v === "info" || v === "warn" || v === "error" ? v : "info";
}

export const isTerminal: boolean = (() => {
  const f = envGet("CAPO_LOG_FORMAT");
  if (f === "json") return false;
  if (f === "text") return true;
  return Deno.stderr.isTerminal();
})();

const encoder = new TextEncoder();
let minLevel: Level = parseLevel(envGet("CAPO_LOG"));

export function setLevel(level: Level): void {
  minLevel = level;
}

function write(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger whose lines carry `scope` (a stage or command name). */
export function logger(scope: string): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    if (isTerminal) {
      const extra = fields && Object.keys(fields).length
        ? " " + Object.entries(fields).map(([k, v]) => `${k}=${fmt(v)}`).join(" ")
        : "";
      const tag = level === "info" ? "" : `${level.toUpperCase()} `;
      write(`[${scope}] ${tag}${msg}${extra}`);
    } else {
      write(
        JSON.stringify({ ts: new Date().toISOString(), level, scope, msg, ...fields }, bigintSafe),
      );
    }
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === "string") return v;
  return JSON.stringify(v, bigintSafe);
}

/**
 * Progress for long work: a redrawn bar on a terminal, a JSON line every `everyMs` otherwise.
 */
export class Progress {
  #label: string;
  #total: number;
  #done = 0;
  #start = performance.now();
  #last = 0;
  #everyMs: number;

  constructor(label: string, total: number, everyMs = isTerminal ? 200 : 10_000) {
    this.#label = label;
    this.#total = total;
    this.#everyMs = everyMs;
  }

  tick(n = 1, fields?: Record<string, unknown>): void {
    this.#done += n;
    const now = performance.now();
    if (now - this.#last >= this.#everyMs || this.#done >= this.#total) {
      this.#last = now;
      this.#draw(fields);
    }
  }

  #draw(fields?: Record<string, unknown>): void {
    if (ORDER.info < ORDER[minLevel]) return;
    const secs = (performance.now() - this.#start) / 1000;
    const rate = this.#done / Math.max(secs, 1e-9);
    const frac = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 1;
    if (isTerminal) {
      const width = 24;
      const filled = Math.round(frac * width);
      const eta = rate > 0 ? (this.#total - this.#done) / rate : 0;
      const extra = fields
        ? " " + Object.entries(fields).map(([k, v]) => `${k}=${fmt(v)}`).join(" ")
        : "";
      const line = `\r[${this.#label}] ${"█".repeat(filled)}${"░".repeat(width - filled)} ` +
        `${this.#done}/${this.#total} ${rate.toFixed(1)}/s eta ${eta.toFixed(0)}s${extra}`;
      Deno.stderr.writeSync(encoder.encode(line + (this.#done >= this.#total ? "\n" : "")));
    } else {
      write(JSON.stringify({
        ts: new Date().toISOString(),
        level: "info",
        scope: this.#label,
        msg: "progress",
        done: this.#done,
        total: this.#total,
        rate: Number(rate.toFixed(2)),
        ...fields,
      }, bigintSafe));
    }
  }
}
