/** The report's script (the renderer and plotly), next to the CLI bundle once built. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function reportScriptPath(): string {
  return path.join(__dirname, 'report-assets', 'report.js');
}

export function readReportScript(): string {
  const file = reportScriptPath();
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return readFileSync(file, 'utf8');
}
