/** What the extension and the TypeScript server plugin say to each other (through `typescript.tsserverRequest`). */

/** The request that tells the plugin a notebook's TypeScript cells in order: one request per cell. */
export const CELL_ORDER_COMMAND = '_bnlab.cellOrder';

export interface CellOrderArguments {
  /** The cell (the TypeScript client turns its URI into the server's file name). */
  file: string;
  /** The notebook's URI: the key of its order. */
  notebook: string;
  index: number;
  count: number;
}

/** The diagnostic code of "import/export in a cell" (TypeScript's own codes are below 20000). */
export const MODULE_SYNTAX_CODE = 90_001;
