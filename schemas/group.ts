/**
 * A prompt group: the unit that flows between the stages that need the whole group
 * (calibrator, sampler) and the unit of checkpointing and resume (docs/method.md §7).
 */
export interface Group<T> {
  prompt_id: string;
  prompt: string;
  rows: T[];
}
