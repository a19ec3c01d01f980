/**
 * `Utf8DecodeStream`: bytes -> text with a fatal decoder, so invalid UTF-8 is an error that
 * names the source and the 1-based line of the bad bytes instead of a silent U+FFFD.
 *
 * A BOM at the start is dropped (TextDecoder's default).
 */
export class Utf8DecodeStream extends TransformStream<Uint8Array, string> {
  #decoder = new TextDecoder("utf-8", { fatal: true });
  // Newline bytes before the current line, and the current line's bytes so far (chunk
  // references, no copy). A newline byte never occurs inside a multi-byte sequence, so a line
  // start is always a character boundary: on error the bad line can be found by re-decoding
  // from there with a fresh decoder. Nothing is re-scanned on the happy path.
  #linesBefore = 0;
  #tail: Uint8Array[] = [];
  readonly source: string;

  /** @param source the file name used in error messages. */
  constructor(source: string) {
    super({
      transform: (chunk, controller) => {
        let text: string;
        try {
          text = this.#decoder.decode(chunk, { stream: true });
        } catch {
          throw this.#error(chunk, false);
        }
        if (text.length > 0) controller.enqueue(text);
        const last = chunk.lastIndexOf(0x0a);
        if (last === -1) {
          this.#tail.push(chunk);
          return;
        }
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
          this.#linesBefore++;
        }
        this.#tail = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      },
      flush: (controller) => {
        let text: string;
        try {
          text = this.#decoder.decode();
        } catch {
          throw this.#error(new Uint8Array(), true);
        }
        if (text.length > 0) controller.enqueue(text);
      },
    });
    this.source = source;
  }

  #error(chunk: Uint8Array, atEnd: boolean): TypeError {
    const size = this.#tail.reduce((n, c) => n + c.length, 0) + chunk.length;
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of [...this.#tail, chunk]) {
      bytes.set(c, at);
      at += c.length;
    }
    let line = this.#linesBefore + 1;
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, nl + 1)) {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, nl));
      } catch {
        return this.#message(line, "invalid byte sequence");
      }
      line++;
      start = nl + 1;
    }
    // Past the last newline: the bad bytes are on this (unterminated) line.
    return this.#message(
      line,
      atEnd ? "truncated multi-byte sequence at end of file" : "invalid byte sequence",
    );
  }

  #message(line: number, why: string): TypeError {
    return new TypeError(`Cannot decode ${this.source} as UTF-8: ${why} on line ${line}`);
  }
}
