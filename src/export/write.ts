/** Writes an export's files into a folder (Node side: the CLI and the extension's export worker). */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExportFile } from './bundle';

/** Files a previous export of the same name may have left in its data folder (nothing else is removed). */
const OWN_DATA_FILE = /^(set\d+-[xy]|run\d+-(order|weights))\.bin$/;

export async function writeExport(directory: string, stem: string, files: ExportFile[]): Promise<string[]> {
  const dataDir = path.join(directory, `${stem}_data`);
  const stale = await readdir(dataDir).catch(() => [] as string[]);
  await Promise.all(stale.filter((name) => OWN_DATA_FILE.test(name)).map((name) => rm(path.join(dataDir, name))));
  const written: string[] = [];
  for (const file of files) {
    const target = path.join(directory, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
    written.push(target);
  }
  return written;
}
