/** The report's script: plotly (dist/plotly.js), then the renderer's report page, next to the CLI bundle once built. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function reportScriptPath(): string {
  return path.join(__dirname, 'report-assets', 'report.js');
}

export function readReportScript(): string {
  const files = [path.join(__dirname, 'plotly.js'), reportScriptPath()];
  for (const file of files) if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return files.map((file) => readFileSync(file, 'utf8')).join(';\n');
}
