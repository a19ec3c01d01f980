/** Generic typed stream pieces (denoland/std style: one export per file). */
export * from "./text_line_stream.ts";
export * from "./batch_stream.ts";
export * from "./merge_readable_streams.ts";
export * from "./group_by_prompt_stream.ts";
