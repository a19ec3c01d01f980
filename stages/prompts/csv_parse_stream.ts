/**
 * `CsvParseStream`: lines -> CSV records (RFC 4180): comma-separated, fields optionally in
 * double quotes, a quoted field may hold commas, newlines and doubled quotes (`""` -> `"`).
 * A quote inside an unquoted field is kept as text (lenient, as most writers do); text after
 * a closing quote, or a quote still open at the end of input, is an error naming the line.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

export class CsvParseStream extends TransformStream<string, CsvRecord> {
  #fields: string[] = [];
  #field = "";
  #inQuotes = false;
  #line = 0;
  #start = 0;

  /** @param source the file name used in error messages. */
  constructor(source: string) {
    super({
      transform: (line, controller) => {
        this.#line++;
        if (this.#inQuotes) {
          this.#field += "\n"; // the newline was inside a quoted field
        } else {
          this.#start = this.#line;
        }
        this.#parse(line, source);
        if (!this.#inQuotes) {
          this.#fields.push(this.#field);
          controller.enqueue({ fields: this.#fields, line: this.#start });
          this.#fields = [];
          this.#field = "";
        }
      },
      flush: () => {
        if (this.#inQuotes) {
          throw new SyntaxError(
            `Cannot parse ${source} as CSV: the quoted field opened on line ${this.#start} is never closed`,
          );
        }
      },
    });
  }

  #parse(line: string, source: string): void {
    let i = 0;
    const n = line.length;
    while (i < n) {
      if (this.#inQuotes) {
        const q = line.indexOf('"', i);
        if (q === -1) {
          this.#field += line.slice(i);
          return;
        }
        this.#field += line.slice(i, q);
        if (line[q + 1] === '"') {
          this.#field += '"';
          i = q + 2;
          continue;
        }
        this.#inQuotes = false;
        i = q + 1;
        if (i < n && line[i] !== ",") {
          throw new SyntaxError(
            `Cannot parse ${source} line ${this.#line} as CSV: unexpected text after a closing quote at column ${
              i + 1
            }`,
          );
        }
        continue;
      }
      const c = line[i]!;
      if (c === '"' && this.#field === "") {
        this.#inQuotes = true;
        i++;
      } else if (c === ",") {
        this.#fields.push(this.#field);
        this.#field = "";
        i++;
      } else {
        const next = line.indexOf(",", i);
        const end = next === -1 ? n : next;
        this.#field += line.slice(i, end);
        i = end;
      }
    }
  }
}
