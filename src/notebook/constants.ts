/** Identifiers shared between the manifest (package.json) and the code. */
export const NOTEBOOK_TYPE = 'bnlab-notebook';
export const RENDERER_ID = 'bnlab-plot-renderer';
export const EXTENSION_ID = 'bnlab.batchnorm-lab';
