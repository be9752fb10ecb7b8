/** Words the kernel and the editor share about TypeScript cells, so that both say the same. */
export const MODULE_SYNTAX_MESSAGE =
  'import and export are not available in notebook cells: the engine API (tensor, nn, F, optim, init, data, show…) is already in scope';
