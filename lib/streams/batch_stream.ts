/**
 * `BatchStream<T>`: groups items into arrays of `size`; the remainder is flushed on close.
 * Never emits an empty batch.
 */
export class BatchStream<T> extends TransformStream<T, T[]> {
  #batch: T[] = [];

  /** @param size items per batch, a positive integer. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot construct BatchStream as size must be a positive integer: current value is ${size}`,
      );
    }
    super({
      transform: (item, controller) => {
        this.#batch.push(item);
        if (this.#batch.length >= size) {
          controller.enqueue(this.#batch);
          this.#batch = [];
        }
      },
      flush: (controller) => {
        if (this.#batch.length > 0) controller.enqueue(this.#batch);
        this.#batch = [];
      },
    });
  }
}
