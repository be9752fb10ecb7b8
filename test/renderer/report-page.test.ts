// The HTML report (src/kernel/report.ts + renderers/report-page.ts) in a real Chromium: every plot is drawn
// without scrolling, so that printing (print media, page.pdf()) and a full-page capture show them all.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { BnnbNotebook } from '../../src/shared/bnnb-format';
import { renderReport } from '../../src/kernel/report';
import { buildPlotlyScript, distributionPayload, launchBrowser, ROOT } from './harness';

const PLOTS = 12;
let dir: string;
let report: string;
let browser: Browser;

function newestMtime(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name)))) : stat.mtimeMs;
}

/** dist/plotly.js and dist/report-assets/report.js (as the report inlines them) when newer than their sources, else the same bundles built here. */
async function reportScript(): Promise<string> {
  const built = join(ROOT, 'dist/report-assets/report.js');
  const plotly = join(ROOT, 'dist/plotly.js');
  const sources = Math.max(newestMtime(join(ROOT, 'renderers')), newestMtime(join(ROOT, 'src/shared')));
  if (existsSync(built) && existsSync(plotly) && statSync(built).mtimeMs >= sources) return `${readFileSync(plotly, 'utf8')};\n${readFileSync(built, 'utf8')}`;
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['renderers/report-page.ts'], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, write: false, logLevel: 'warning', define: { 'import.meta.url': 'location.href' } });
  const dir = mkdtempSync(join(tmpdir(), 'bnlab-report-plotly-'));
  const plotlyBuilt = readFileSync(await buildPlotlyScript(dir), 'utf8');
  return `${plotlyBuilt};\n${result.outputFiles[0]!.text}`;
}

/** A notebook of PLOTS plot outputs, one per cell, far taller than the viewport. */
function notebook(): BnnbNotebook {
  return {
    metadata: {},
    cells: Array.from({ length: PLOTS }, (_, i) => ({
      kind: 'code' as const,
      language: 'bnlab',
      source: `experiment: normalize-features\nseed: ${i}`,
      execution: { order: i + 1, success: true },
      outputs: [{ items: [{ mime: 'application/vnd.bnlab.plot+json', data: distributionPayload({ seed: i + 1 }) }] }],
    })),
  };
}

async function open(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.goto(pathToFileURL(report).href);
}

/** How many of the report's plots plotly has drawn (a placeholder has no .main-svg). */
const drawnPlots = (page: Page): Promise<number> => page.evaluate<number>("[...document.querySelectorAll('.plot')].filter((plot) => plot.querySelector('.main-svg')).length");
/** Idle time never comes: only print can draw the far plots. */
const NO_IDLE = { content: 'window.requestIdleCallback = () => 0;' };
const FIRST_DRAWN = "document.documentElement.dataset.plots === 'drawing' && document.querySelector('.plot .main-svg') !== null";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bnlab-report-page-'));
  report = join(dir, 'report.html');
  writeFileSync(report, renderReport(notebook(), 'Plots all the way down', await reportScript()));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('HTML report in Chromium', () => {
  test('a full-page capture without scrolling shows every plot', async () => {
    const page = await browser.newPage();
    try {
      await open(page);
      const height = await page.evaluate<number>('document.documentElement.scrollHeight');
      assert.ok(height > 4 * 700, `the report is ${height}px tall: plots must lie far below the viewport`);
      await page.waitForSelector('html[data-plots="drawn"]', { timeout: 60_000 });
      assert.equal(await drawnPlots(page), PLOTS);
      assert.equal(await page.evaluate<number>('window.scrollY'), 0, 'nothing scrolled');
      const shot = await page.screenshot({ fullPage: true });
      assert.ok(shot.length > 10_000);
    } finally {
      await page.close();
    }
  });

  test('print media draws every plot at once, and the PDF is printed with all of them', async () => {
    const page = await browser.newPage();
    try {
      await page.addInitScript(NO_IDLE);
      await open(page);
      await page.waitForFunction(FIRST_DRAWN);
      const before = await drawnPlots(page);
      assert.ok(before < PLOTS, `${before} plots were drawn before printing: the far ones must wait`);
      await page.emulateMedia({ media: 'print' });
      await page.waitForSelector('html[data-plots="drawn"]', { timeout: 60_000 });
      assert.equal(await drawnPlots(page), PLOTS);
      const pdf = await page.pdf({ format: 'A4' });
      assert.ok(pdf.length > 10_000);
    } finally {
      await page.close();
    }
  });

  test('beforeprint draws every plot too', async () => {
    const page = await browser.newPage();
    try {
      await page.addInitScript(NO_IDLE);
      await open(page);
      await page.waitForFunction(FIRST_DRAWN);
      assert.ok((await drawnPlots(page)) < PLOTS);
      await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
      await page.waitForSelector('html[data-plots="drawn"]', { timeout: 60_000 });
      assert.equal(await drawnPlots(page), PLOTS);
    } finally {
      await page.close();
    }
  });
});
