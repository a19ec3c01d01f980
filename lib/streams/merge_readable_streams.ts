/**
 * `mergeReadableStreams(...streams)`: one stream with every item of every input, in the order
 * they arrive (inputs are read concurrently, so the order across inputs is not defined; the
 * order within one input is kept).
 *
 * It closes when all inputs have closed; an error in any input errors the merged stream and
 * cancels the others; cancelling the merged stream cancels every input.
 */
interface Slot<T> {
  reader: ReadableStreamDefaultReader<T>;
  pending: Promise<{ slot: Slot<T>; result: ReadableStreamReadResult<T> }>;
}

export function mergeReadableStreams<T>(...streams: ReadableStream<T>[]): ReadableStream<T> {
  const slots = new Set<Slot<T>>();
  const read = (slot: Slot<T>) => {
    const p = slot.reader.read().then((result) => ({ slot, result }));
    // Marked handled here: an input may fail while no pull() is racing it; the failure is
    // still seen by the next race.
    p.catch(() => {});
    return p;
  };
  for (const s of streams) {
    const slot = { reader: s.getReader() } as Slot<T>;
    slots.add(slot);
  }
  const cancelAll = async (reason: unknown) => {
    await Promise.all([...slots].map((s) => s.reader.cancel(reason).catch(() => {})));
    slots.clear();
  };
  let turn = 0;
  return new ReadableStream<T>({
    start() {
      // One read in flight per input: pull() takes whichever answers first. Reading only
      // inside pull() keeps backpressure: nothing is read while the consumer is not asking.
      for (const slot of slots) slot.pending = read(slot);
    },
    async pull(controller) {
      while (slots.size > 0) {
        // Race the inputs starting after the last winner: Promise.race picks the first
        // settled promise in iteration order, so a fixed order would starve later inputs
        // whenever an earlier one is always ready.
        const order = [...slots];
        const from = turn++ % order.length;
        const rotated = [...order.slice(from), ...order.slice(0, from)];
        let won;
        try {
          won = await Promise.race(rotated.map((s) => s.pending));
        } catch (err) {
          await cancelAll(err);
          throw err; // a throwing pull() errors the merged stream
        }
        const { slot, result } = won;
        if (result.done) {
          slots.delete(slot);
          continue;
        }
        slot.pending = read(slot);
        controller.enqueue(result.value);
        return;
      }
      controller.close();
    },
    cancel(reason) {
      return cancelAll(reason);
    },
  }, { highWaterMark: 0 });
}
