/** Files next to the notebook, for cells that read them (e.g. metrics written by an exported PyTorch script). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NotebookFiles } from '../experiments/experiment';

export function notebookFiles(directory: string): NotebookFiles {
  return {
    readText: async (relativePath) => {
      const file = path.resolve(directory, relativePath);
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? `${relativePath}: no such file (looked in ${directory})` : `${relativePath}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
