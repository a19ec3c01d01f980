/** Test helpers shared by the stream tests: failing and cancel-observing sources. */

/** A stream that yields `items` then errors with `err`. */
export function failingSource<T>(items: readonly T[], err: Error): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(controller) {
      if (i < items.length) controller.enqueue(items[i++]!);
      else controller.error(err);
    },
  });
}

/** An endless stream of `make(i)`; `cancelled` resolves with the cancel reason. */
export function endlessSource<T>(make: (i: number) => T): {
  stream: ReadableStream<T>;
  cancelled: Promise<unknown>;
} {
  let i = 0;
  let resolve!: (r: unknown) => void;
  const cancelled = new Promise<unknown>((res) => (resolve = res));
  const stream = new ReadableStream<T>({
    pull(controller) {
      controller.enqueue(make(i++));
    },
    cancel(reason) {
      resolve(reason);
    },
  });
  return { stream, cancelled };
}
