/**
 * `GroupByPromptStream<T>`: rows sorted (or at least contiguous) by prompt -> one
 * `Group<T>` per prompt, in input order.
 *
 * A prompt_id that reappears after its group was closed is an error, not a second group:
 * the calibrator needs the whole group at once, and a split group would be calibrated twice
 * against partial groups, silently wrong.
 */
import type { Group } from "../../schemas/group.ts";

export interface PromptRow {
  prompt_id: string;
  prompt: string;
}

export class GroupByPromptStream<T extends PromptRow> extends TransformStream<T, Group<T>> {
  #current: Group<T> | null = null;
  #closed = new Set<string>();
  #index = 0;

  constructor() {
    super({
      transform: (row, controller) => {
        const cur = this.#current;
        if (cur && cur.prompt_id === row.prompt_id) {
          cur.rows.push(row);
        } else {
          if (this.#closed.has(row.prompt_id)) {
            throw new RangeError(
              `Cannot group row ${this.#index} by prompt as prompt_id '${row.prompt_id}' ` +
                `reappears after its group was closed: input must be contiguous by prompt_id`,
            );
          }
          if (cur) {
            this.#closed.add(cur.prompt_id);
            controller.enqueue(cur);
          }
          this.#current = { prompt_id: row.prompt_id, prompt: row.prompt, rows: [row] };
        }
        this.#index++;
      },
      flush: (controller) => {
        if (this.#current) controller.enqueue(this.#current);
        this.#current = null;
      },
    });
  }
}
