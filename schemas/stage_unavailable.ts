/**
 * Thrown by a stage's `build` when an input it needs does not exist yet (no pretrained base
 * model, no reward models): the run then executes the stages before it and stops with a
 * warning naming what is missing, instead of failing or faking the stage's output.
 */
export class StageUnavailable extends Error {
  override name = "StageUnavailable";
}
