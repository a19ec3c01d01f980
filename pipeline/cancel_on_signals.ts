/**
 * SIGINT/SIGTERM -> an AbortSignal whose reason is the signal's name, so a run stops reading,
 * keeps its completed shards, drops the open ones and exits with `exitCodeFor(reason)`.
 * A second signal while the first is being handled exits at once (the completed shards are
 * safe on disk either way; only the cleanup of open ones is skipped).
 */
export type StopSignal = "SIGINT" | "SIGTERM";
const SIGNALS: StopSignal[] = ["SIGINT", "SIGTERM"];

export interface SignalCancel {
  signal: AbortSignal;
  /** Removes the listeners. */
  dispose(): void;
}

/** The conventional exit status for a run stopped by `reason` (128 + signal number). */
export function exitCodeFor(reason: unknown): number {
  return reason === "SIGTERM" ? 143 : 130;
}

/** Listens for SIGINT and SIGTERM (on Windows only SIGINT exists) until `dispose`. */
export function cancelOnSignals(): SignalCancel {
  const controller = new AbortController();
  const listeners: [StopSignal, () => void][] = [];
  for (const sig of SIGNALS) {
    const onSignal = () => {
      if (controller.signal.aborted) Deno.exit(exitCodeFor(sig));
      controller.abort(sig);
    };
    try {
      Deno.addSignalListener(sig, onSignal);
      listeners.push([sig, onSignal]);
    } catch {
      // SIGTERM cannot be listened for on Windows; SIGINT still works.
    }
  }
  return {
    signal: controller.signal,
    dispose() {
      for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
    },
  };
}
