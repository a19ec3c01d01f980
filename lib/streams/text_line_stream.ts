/**
 * `TextLineStream`: splits a stream of text chunks into lines.
 *
 * Lines end at "\n" or "\r\n" (the "\r" is dropped); a lone "\r" is kept as text, because
 * prompt files never use old-Mac line ends and a stray "\r" inside a line is data. The last
 * line is emitted on close even without a trailing newline; an empty trailing line (the file
 * ends with "\n") is not emitted.
 */
export class TextLineStream extends TransformStream<string, string> {
  // Pieces of the current, unfinished line. Joined once when the line ends, which keeps the
  // total cost linear when a single line spans many chunks (no repeated string concatenation
  // of an ever-growing prefix).
  #parts: string[] = [];

  constructor() {
    super({
      transform: (chunk, controller) => {
        let start = 0;
        let nl = chunk.indexOf("\n");
        while (nl !== -1) {
          this.#parts.push(chunk.slice(start, nl));
          controller.enqueue(this.#takeLine());
          start = nl + 1;
          nl = chunk.indexOf("\n", start);
        }
        if (start < chunk.length) this.#parts.push(chunk.slice(start));
      },
      flush: (controller) => {
        if (this.#parts.length > 0) controller.enqueue(this.#takeLine());
      },
    });
  }

  #takeLine(): string {
    const line = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join("");
    this.#parts = [];
    // The "\r" of a "\r\n" may have arrived at the end of the previous chunk, so it is
    // stripped from the joined line rather than from the chunk.
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }
}
