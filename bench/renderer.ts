// The notebook renderer's speed and size, in Debian's Chromium (the renderer test harness's page):
// for each plot kind, the time from renderOutputItem to a drawn plot (median of several runs with
// plotly already loaded) and the first plot's time on a fresh page (including fetching and parsing the
// plotly chunk); 50 plots on one page; a training run streamed into one output (live updates drawn in
// place, against drawing each as a new plot); and the bundle: entry and chunks, raw and gzipped.
//
//   node --import tsx bench/renderer.ts [runs]     prints a table
//   import { benchRenderer } from './renderer'      (bench/index.ts)
//
// Uses dist/ when it is up to date with renderers/, else builds the renderer alone into a temporary
// directory (like the renderer tests); BNLAB_RENDERER_DIST overrides.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { Harness, distributionPayload, launchBrowser, rendererDist, serve } from '../test/renderer/harness';
import { everyKnob, runningCurves } from '../test/renderer/live-payloads';
import { everyKind, heatmapPayload, percentileBandsPayload, sweepPayload, trainingCurvesPayload } from '../test/renderer/payloads';

export type RendererBenchResult =
  | {
      type: 'render';
      /** Plot kind (or `distribution-violin` for the violin presentation). */
      kind: string;
      traces: number;
      /** renderOutputItem → plot drawn and painted (next animation frame), plotly already loaded. */
      medianMs: number;
      minMs: number;
      maxMs: number;
      runs: number;
      /** The same for the first plot on a fresh page: includes fetching and evaluating the plotly chunk. */
      firstPlotMs: number;
    }
  | {
      type: 'page';
      name: string;
      /** renderOutputItem × plots (only the plots near the viewport draw at once). */
      renderAllMs: number;
      /** Scrolling through the page a screen at a time until every plot has drawn. */
      scrollMs: number;
      longestTaskMs: number;
      longTasks: number;
      plots: number;
    }
  | {
      type: 'update';
      name: string;
      /** renderOutputItem of the next live payload into the drawn output (Plotly.react) → painted. */
      medianMs: number;
      maxMs: number;
      updates: number;
      /** The same payloads rendered each into a fresh output (Plotly.newPlot), for comparison. */
      freshMedianMs: number;
    }
  | { type: 'bundle'; file: string; bytes: number; gzipBytes: number };

type PageBn = { bn: { render(id: string, text: string, mime?: string, scroll?: boolean): Promise<void>; dispose(id?: string): void } };

/** Renders `text` as output `id` and returns ms until the plot is drawn and the next frame painted. */
function timedRender(page: Page, id: string, text: string): Promise<number> {
  return page.evaluate(
    async ([outputId, json]) => {
      const { bn } = globalThis as unknown as PageBn;
      const t0 = performance.now();
      await bn.render(outputId!, json!);
      const frame = (globalThis as unknown as { requestAnimationFrame(callback: () => void): number }).requestAnimationFrame;
      await new Promise<void>((done) => frame(() => done()));
      return performance.now() - t0;
    },
    [id, text] as const,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

function bundleSizes(dir: string): RendererBenchResult[] {
  const files = ['renderer.js', 'plotly.js', ...readdirSync(join(dir, 'renderer-chunks')).filter((f) => f.endsWith('.js')).map((f) => `renderer-chunks/${f}`)];
  return files.map((file) => {
    const bytes = readFileSync(join(dir, file));
    return { type: 'bundle' as const, file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

export async function benchRenderer(options: { runs?: number } = {}): Promise<RendererBenchResult[]> {
  const runs = Math.max(3, options.runs ?? 7);
  const dist = await rendererDist();
  const server = await serve(dist.dir);
  let browser: Browser | undefined;
  const results: RendererBenchResult[] = [];
  try {
    browser = await launchBrowser();
    for (const { name, payload } of everyKind()) {
      const text = JSON.stringify(payload);
      // First plot on a fresh page: plotly's chunk is fetched and evaluated.
      const fresh = await Harness.open(browser, server.url);
      const firstPlotMs = await timedRender(fresh.page, 'first', text);
      const traces = (await fresh.messages()).find((m) => m.outputId === 'first')?.traces ?? 0;
      // Warm: one unmeasured run, then `runs` measured ones, each disposed before the next.
      await timedRender(fresh.page, 'warm', text);
      await fresh.dispose();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        times.push(await timedRender(fresh.page, `run-${i}`, text));
        await fresh.dispose();
      }
      await fresh.close();
      results.push({ type: 'render', kind: name, traces, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs, firstPlotMs });
    }

    // 50 plots of five kinds on one page, then a scroll through it.
    const h = await Harness.open(browser, server.url);
    const kinds = [distributionPayload(), percentileBandsPayload(), trainingCurvesPayload(), sweepPayload(), heatmapPayload()];
    await h.render('warm', kinds[0]);
    await h.dispose();
    await h.takeLongTasks();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.render(`many-${i}`, kinds[i % kinds.length], { scroll: i === 0 })));
    const renderAllMs = performance.now() - t0;
    const height = await h.scrollToY(0);
    const s0 = performance.now();
    for (let y = 0; y <= height; y += 900) {
      await h.scrollToY(y);
      await h.page.waitForTimeout(50);
    }
    await h.waitDrawn('many-49', 30_000);
    const scrollMs = performance.now() - s0;
    const longTasks = await h.takeLongTasks();
    results.push({ type: 'page', name: '50 plots, 5 kinds', renderAllMs, scrollMs, longestTaskMs: Math.max(0, ...longTasks), longTasks: longTasks.length, plots: 50 });
    await h.close();

    results.push(await benchUpdates(browser, server.url));
    results.push(...bundleSizes(dist.dir));
  } finally {
    await browser?.close();
    await server.close();
    if (dist.temporary) rmSync(dist.dir, { recursive: true, force: true });
  }
  return results;
}

/**
 * A training run streamed into one output: 40 live payloads (the curves growing by 75 steps each, the
 * previous result under them, knobs above), each drawn in place; then the same payloads each drawn
 * into a new output.
 */
async function benchUpdates(browser: Browser, url: string): Promise<RendererBenchResult> {
  const h = await Harness.open(browser, url);
  const previous = trainingCurvesPayload().plot;
  const payloads = Array.from({ length: 40 }, (_, i) => ({
    ...runningCurves(75 * (i + 1)),
    previous,
    knobs: everyKnob(),
  }));
  await timedRender(h.page, 'warm', JSON.stringify(payloads[0]));
  await h.dispose();
  const inPlace: number[] = [];
  for (const payload of payloads) inPlace.push(await timedRender(h.page, 'live', JSON.stringify(payload)));
  await h.dispose();
  const fresh: number[] = [];
  for (const [i, payload] of payloads.entries()) {
    fresh.push(await timedRender(h.page, `fresh-${i}`, JSON.stringify(payload)));
    await h.dispose();
  }
  await h.close();
  const updates = inPlace.slice(1);
  return {
    type: 'update',
    name: 'training curves, 40 live updates with overlay and knobs',
    medianMs: median(updates),
    maxMs: Math.max(...updates),
    updates: updates.length,
    freshMedianMs: median(fresh),
  };
}

/** The results as a plain-text table. */
export function formatRendererBench(results: RendererBenchResult[]): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  lines.push('kind                       traces   median ms   min ms   max ms   first plot ms (incl. plotly load)');
  for (const r of results) {
    if (r.type !== 'render') continue;
    lines.push(`${r.kind.padEnd(26)} ${pad(r.traces, 6)} ${pad(r.medianMs.toFixed(1), 11)} ${pad(r.minMs.toFixed(1), 8)} ${pad(r.maxMs.toFixed(1), 8)} ${pad(r.firstPlotMs.toFixed(0), 15)}`);
  }
  for (const r of results) {
    if (r.type !== 'page') continue;
    lines.push('');
    lines.push(
      `${r.name}: renderOutputItem × ${r.plots} ${r.renderAllMs.toFixed(0)} ms; scroll through until all drawn ${r.scrollMs.toFixed(0)} ms; ` +
        `long tasks ${r.longTasks}, longest ${r.longestTaskMs.toFixed(0)} ms`,
    );
  }
  for (const r of results) {
    if (r.type !== 'update') continue;
    lines.push('');
    lines.push(
      `${r.name}: in place (Plotly.react) median ${r.medianMs.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms over ${r.updates} updates; ` +
        `as new plots median ${r.freshMedianMs.toFixed(1)} ms`,
    );
  }
  lines.push('');
  lines.push('bundle file                                    bytes        gzip');
  for (const r of results) {
    if (r.type !== 'bundle') continue;
    lines.push(`${r.file.padEnd(40)} ${pad(r.bytes.toLocaleString('en'), 11)} ${pad(r.gzipBytes.toLocaleString('en'), 11)}`);
  }
  return lines.join('\n');
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  const runs = Number(process.argv[2]) || undefined;
  benchRenderer({ runs })
    .then((results) => console.log(formatRendererBench(results)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
