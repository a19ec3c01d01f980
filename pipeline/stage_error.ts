/** The error a run stops with: it names the stage and the prompt group that failed. */
export class StageError extends Error {
  readonly stage: string;
  /** The failing group's prompt_id, or null when the failure is not tied to one group. */
  readonly promptId: string | null;

  constructor(stage: string, promptId: string | null, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const where = promptId === null ? "" : ` on prompt '${promptId}'`;
    super(`stage '${stage}' failed${where}: ${why}`, { cause });
    this.name = "StageError";
    this.stage = stage;
    this.promptId = promptId;
  }

  /** `cause` itself if it is already a StageError (keep the innermost stage), else a new one. */
  static wrap(stage: string, promptId: string | null, cause: unknown): StageError {
    return cause instanceof StageError ? cause : new StageError(stage, promptId, cause);
  }
}
