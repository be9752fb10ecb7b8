/**
 * Where in its cell an error output says it happened, read from the words the kernel writes:
 * "Line 3, column 12: …" (a cell the kernel refused) or "… (Cell 2, line 3, column 12)" (an error thrown
 * by a TypeScript cell's code, mapped back to its source).
 */
export interface ErrorLocation {
  /** 1-based. */
  line: number;
  column: number;
}

export function errorLocation(message: string): ErrorLocation | undefined {
  const refused = /^Line (\d+)(?:, column (\d+))?:/.exec(message);
  if (refused) return { line: Number(refused[1]), column: Number(refused[2] ?? 1) };
  const thrown = /\((?:[^()]*), line (\d+), column (\d+)\)$/.exec(message);
  return thrown ? { line: Number(thrown[1]), column: Number(thrown[2]) } : undefined;
}
