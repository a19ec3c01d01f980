/** Generic typed stream pieces (denoland/std style: one export per file). */
export * from "./text_line_stream.ts";
