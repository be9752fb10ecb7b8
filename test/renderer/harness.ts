/**
 * Test harness for the notebook renderer: the real bundle (dist/renderer.js from `npm run build`) served
 * over http to Debian's Chromium (driven by playwright-core), on a page that imitates a VS Code notebook
 * webview (body theme classes, `--vscode-*` CSS variables on <html>), with a fake RendererContext that
 * records postMessage calls and fake OutputItems. Also builds realistic payloads from seeded numbers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The repository root: the nearest directory upwards from the working directory with this package.json. */
export const ROOT = findRoot(process.cwd());
export const SCREENSHOTS = join(ROOT, 'docs/screenshots');

function findRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"batchnorm-lab"/.test(readFileSync(manifest, 'utf8'))) return dir;
    if (dirname(dir) === dir) throw new Error(`run the renderer tests inside the batchnorm-lab repository (cwd: ${start})`);
  }
}

// ---------------------------------------------------------------------------------------------------
// The bundle under test
// ---------------------------------------------------------------------------------------------------

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Directory holding renderer.js, renderer-chunks/ and plotly.js. Normally dist/ as written by `npm run build`
 * (`npm test` builds first). If dist/renderer.js is missing or older than the renderer sources (someone
 * ran only `npm run test:renderer` after editing), builds the renderer alone, with the options of
 * scripts/build.mjs, into a temporary directory so the tests never pass against a stale bundle.
 * BNLAB_RENDERER_DIST overrides the directory.
 */
export async function rendererDist(): Promise<{ dir: string; source: string; temporary: boolean }> {
  const override = process.env.BNLAB_RENDERER_DIST;
  if (override) return { dir: resolve(override), source: `BNLAB_RENDERER_DIST=${override}`, temporary: false };
  const dist = join(ROOT, 'dist');
  const entry = join(dist, 'renderer.js');
  const sources = Math.max(newestMtime(join(ROOT, 'renderers')), newestMtime(join(ROOT, 'src/shared/payload.ts')));
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return { dir: dist, source: 'dist/ (npm run build)', temporary: false };
  const dir = join(tmpdir(), `bnlab-renderer-test-${process.pid}`);
  const esbuild = await import('esbuild');
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { renderer: 'renderers/index.ts' },
    outdir: dir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    splitting: true,
    chunkNames: 'renderer-chunks/[name]-[hash]',
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // plotly as the build ships it: a classic script beside the renderer (scripts/build.mjs).
  await buildPlotlyScript(dir);
  const why = existsSync(entry) ? 'dist/renderer.js is older than renderers/' : 'dist/renderer.js is missing';
  return { dir, source: `${dir} (${why}; built the renderer alone — run \`npm run build\` to test dist/)`, temporary: true };
}

/** dist/plotly.js as scripts/build.mjs writes it: plotly.js-dist as a classic script that sets globalThis.Plotly. */
export async function buildPlotlyScript(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { plotly: 'node_modules/plotly.js-dist/plotly.js' },
    outdir: dir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
  });
  return join(dir, 'plotly.js');
}

/** The plotly script beside the renderer bundle. */
export function plotlyScript(dir: string): { name: string; bytes: number } {
  const file = join(dir, 'plotly.js');
  if (!existsSync(file)) throw new Error(`no plotly.js in ${dir}`);
  return { name: 'plotly.js', bytes: statSync(file).size };
}

// ---------------------------------------------------------------------------------------------------
// Static server and the webview-like test page
// ---------------------------------------------------------------------------------------------------

export type HarnessTheme = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** A subset of the CSS variables VS Code defines in webviews (Light/Dark Modern, High Contrast). */
export const THEME_VARIABLES: Record<HarnessTheme, Record<string, string>> = {
  light: {
    'editor-background': '#ffffff',
    'editor-foreground': '#3b3b3b',
    foreground: '#3b3b3b',
    descriptionForeground: '#6f6f6f',
    'editorWidget-border': '#e5e5e5',
    'panel-border': '#e5e5e5',
    'charts-lines': '#3b3b3b80',
    'charts-blue': '#1a85ff',
    'charts-orange': '#d18616',
    'charts-green': '#388a34',
    'charts-red': '#e51400',
    'editorHoverWidget-background': '#f8f8f8',
    'editorHoverWidget-foreground': '#3b3b3b',
    'editorHoverWidget-border': '#c8c8c8',
    'input-background': '#ffffff',
    'input-foreground': '#3b3b3b',
    'progressBar-background': '#005fb8',
    'editorWarning-foreground': '#bf8803',
    errorForeground: '#f85149',
    'inputValidation-errorBackground': '#f2dede',
    'inputValidation-errorBorder': '#be1100',
  },
  dark: {
    'editor-background': '#1f1f1f',
    'editor-foreground': '#cccccc',
    foreground: '#cccccc',
    descriptionForeground: '#9d9d9d',
    'editorWidget-border': '#313131',
    'panel-border': '#2b2b2b',
    'charts-lines': '#cccccc80',
    'charts-blue': '#3794ff',
    'charts-orange': '#d18616',
    'charts-green': '#89d185',
    'charts-red': '#f14c4c',
    'editorHoverWidget-background': '#202020',
    'editorHoverWidget-foreground': '#cccccc',
    'editorHoverWidget-border': '#454545',
    'input-background': '#313131',
    'input-foreground': '#cccccc',
    'progressBar-background': '#0078d4',
    'editorWarning-foreground': '#cca700',
    errorForeground: '#f85149',
    'inputValidation-errorBackground': '#5a1d1d',
    'inputValidation-errorBorder': '#be1100',
  },
  'high-contrast': {
    'editor-background': '#000000',
    'editor-foreground': '#ffffff',
    foreground: '#ffffff',
    contrastBorder: '#6fc3df',
    'charts-lines': '#ffffff',
    'charts-blue': '#3794ff',
    'charts-orange': '#d18616',
    'editorHoverWidget-background': '#0c141f',
    'editorHoverWidget-border': '#6fc3df',
    errorForeground: '#f48771',
    'inputValidation-errorBackground': '#000000',
    'inputValidation-errorBorder': '#6fc3df',
  },
  'high-contrast-light': {
    'editor-background': '#ffffff',
    'editor-foreground': '#292929',
    foreground: '#292929',
    contrastBorder: '#0f4a85',
    'charts-lines': '#292929',
    'charts-blue': '#0f4a85',
    'charts-orange': '#b5200d',
    errorForeground: '#b5200d',
  },
};

const COMMON_VARIABLES = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'editor-font-family': '"Droid Sans Mono", monospace',
};

const PAGE = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bnlab renderer harness</title>
<style>
  body { margin: 0; padding: 12px; background: var(--vscode-editor-background); color: var(--vscode-editor-foreground);
         font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  .output { width: 860px; margin-bottom: 16px; }
</style>
</head>
<body class="vscode-light" data-vscode-theme-kind="vscode-light">
<script type="module">
const THEMES = ${JSON.stringify(THEME_VARIABLES)};
const COMMON = ${JSON.stringify(COMMON_VARIABLES)};
const messages = [];
const ALL_VARS = new Set(Object.values(THEMES).flatMap((vars) => Object.keys(vars)));

// What VS Code's webview does on a theme change: new body class + data attribute, new variables on <html>.
function setTheme(kind) {
  const root = document.documentElement;
  for (const name of ALL_VARS) root.style.removeProperty('--vscode-' + name);
  for (const [name, value] of Object.entries({ ...COMMON, ...THEMES[kind] })) root.style.setProperty('--vscode-' + name, value);
  document.body.className = kind === 'high-contrast-light' ? 'vscode-high-contrast vscode-high-contrast-light' : 'vscode-' + kind;
  document.body.setAttribute('data-vscode-theme-kind', 'vscode-' + kind);
}
setTheme('light');

const { activate } = await import('/renderer.js');
// Messages from the extension to the renderer (what VS Code delivers through onDidReceiveMessage).
const listeners = new Set();
function send(message) { for (const listener of listeners) listener(JSON.parse(JSON.stringify(message))); }
const api = await activate({
  postMessage: (message) => messages.push(JSON.parse(JSON.stringify(message))),
  onDidReceiveMessage: (listener) => { listeners.add(listener); return { dispose() { listeners.delete(listener); } }; },
  getState: () => undefined,
  setState: () => {},
  getRenderer: async () => undefined,
  workspace: { isTrusted: true },
});

function outputItem(id, text, mime) {
  const bytes = new TextEncoder().encode(text);
  return { id, mime, metadata: {}, text: () => text, json: () => JSON.parse(text), data: () => bytes, blob: () => new Blob([bytes], { type: mime }) };
}

function element(id) {
  let el = document.getElementById(id);
  if (!el) {
    el = document.createElement('div');
    el.id = id;
    el.className = 'output';
    document.body.append(el);
  }
  return el;
}

// Like VS Code, which renders a cell's outputs when the cell scrolls into view: by default the output is
// scrolled into view first (scroll = false renders it wherever it is, e.g. far below the viewport).
function render(id, text, mime = ${JSON.stringify('application/vnd.bnlab.plot+json')}, scroll = true) {
  const el = element(id);
  if (scroll) el.scrollIntoView({ block: 'nearest' });
  return api.renderOutputItem(outputItem(id, text, mime), el, new AbortController().signal);
}

// What a drawn plot shows, read from the SVG (traces, subplots, legend, axis titles) and from plotly's state.
function figureReport(id) {
  const el = document.getElementById(id);
  const graph = el?.querySelector('.bnlab-plot');
  const q = (sel) => [...(el?.querySelectorAll(sel) ?? [])];
  const full = graph?._fullLayout;
  const axes = (prefix) => Object.keys(full ?? {}).filter((k) => new RegExp('^' + prefix + 'axis\\\\d*$').test(k)).sort();
  const legend = q('.legend .traces').map((item) => {
    const text = item.querySelector('.legendtext')?.textContent ?? '';
    const line = item.querySelector('.legendlines path');
    const point = item.querySelector('.legendpoints path');
    const color = (line && line.style.stroke) || (point && point.style.fill) || null;
    return { text, color, opacity: item.style.opacity || '1' };
  });
  return {
    drawn: !!full,
    svgTraces: q('.scatterlayer .trace').length + q('.barlayer .trace').length + q('.heatmaplayer .hm').length,
    scatterTraces: q('.scatterlayer .trace').length,
    heatmaps: q('.heatmaplayer .hm').length,
    subplots: full ? full._subplots.cartesian.length : 0,
    xAxes: axes('x').length,
    yAxes: axes('y').length,
    axisTypes: Object.fromEntries([...axes('x'), ...axes('y')].map((k) => [k, full[k].type])),
    axisTitles: q('svg text').filter((n) => /^[xy]\\d*title$/.test(n.getAttribute('class') ?? '')).map((n) => n.textContent),
    xTickTexts: q('.xaxislayer-above .xtick text').map((n) => n.textContent.replace(/\u200b/g, '')),
    legend,
    annotations: q('.annotation-text').map((n) => n.textContent),
    title: el?.querySelector('.gtitle')?.textContent ?? null,
    subtitle: el?.querySelector('.gtitle-subtitle')?.textContent ?? null,
    fullData: (graph?._fullData ?? []).map((t) => ({
      name: t.name, type: t.type, legendgroup: t.legendgroup, showlegend: t.showlegend, visible: t.visible,
      color: t.line?.color ?? t.marker?.color ?? null, symbol: t.marker?.symbol ?? null, points: t.x?.length ?? 0, uid: t.uid,
      xaxis: t.xaxis, yaxis: t.yaxis,
    })),
    height: graph ? graph.getBoundingClientRect().height : 0,
    placeholderHeight: el?.querySelector('.bnlab-plot')?.getBoundingClientRect().height ?? 0,
    ranges: full ? Object.fromEntries(axes('x').map((k) => [k, [...full[k].range]])) : {},
  };
}

// Long tasks (> 50 ms) since the last call, in ms.
const longTasks = [];
try { new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true }); } catch {}
function takeLongTasks() { return longTasks.splice(0); }

// Centre of the first SVG point of the trace with this uid (to hover it with the mouse).
function pointCentre(id, uid) {
  const el = document.getElementById(id);
  const group = el?.querySelector('.scatterlayer .trace' + CSS.escape(uid));
  const point = group?.querySelector('.points path.point');
  if (!point) return null;
  point.scrollIntoView({ block: 'center' });
  const r = point.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}
function hoverText(id) { return [...(document.getElementById(id)?.querySelectorAll('.hoverlayer text') ?? [])].map((n) => n.textContent).join(' | '); }
function legendItemCentre(id, text) {
  const item = [...(document.getElementById(id)?.querySelectorAll('.legend .traces') ?? [])].find((n) => n.querySelector('.legendtext')?.textContent === text);
  const r = (item?.querySelector('.legendtoggle') ?? item)?.getBoundingClientRect();
  return r ? { x: r.left + 12, y: r.top + r.height / 2 } : null;
}
function scrollToY(y) { window.scrollTo(0, y); return document.documentElement.scrollHeight; }
// Plots plotly has drawn and not purged.
function liveGraphs() { return [...document.querySelectorAll('.bnlab-plot')].filter((g) => g._fullLayout !== undefined).length; }
function isDrawn(id) { return document.getElementById(id)?.querySelector('.bnlab-plot')?._fullLayout !== undefined; }

function dispose(id) { api.disposeOutputItem(id); }

// The state an update must keep or change: axis ranges, trace visibility and faintness, the badge, the graph div itself.
function liveReport(id) {
  const el = document.getElementById(id);
  const graph = el?.querySelector('.bnlab-plot');
  const full = graph?._fullLayout;
  const keys = Object.keys(full ?? {}).filter((k) => /^[xy]axis\\d*$/.test(k)).sort();
  return {
    drawn: !!full,
    graphToken: graph?.__bnlabToken ?? null,
    ranges: Object.fromEntries(keys.map((k) => [k, [...full[k].range]])),
    traces: (graph?._fullData ?? []).map((t) => ({
      name: t.name, uid: t.uid, legendgroup: t.legendgroup, visible: t.visible, showlegend: t.showlegend, opacity: t.opacity,
      hoverinfo: t.hoverinfo, points: t.x?.length ?? 0, xaxis: t.xaxis, yaxis: t.yaxis, type: t.type,
    })),
    legend: [...(el?.querySelectorAll('.legend .traces .legendtext') ?? [])].map((n) => n.textContent),
    annotations: [...(el?.querySelectorAll('.annotation-text') ?? [])].map((n) => n.textContent),
    ariaLabel: graph?.getAttribute('aria-label') ?? null,
    children: [...(el?.children ?? [])].map((c) => c.className),
    badge: (() => {
      const note = [...(el?.querySelectorAll('.annotation') ?? [])].find((n) => /^(running…|interrupted)/.test(n.querySelector('.annotation-text')?.textContent ?? ''));
      const bg = note?.querySelector('.bg');
      return note ? { text: note.querySelector('.annotation-text').textContent, stroke: bg?.style.stroke ?? null, strokeWidth: parseFloat(bg?.style.strokeWidth ?? '0') } : null;
    })(),
  };
}
// Marks the graph div, so a test can tell an update in place from a new graph.
function markGraph(id, token) { const g = document.getElementById(id)?.querySelector('.bnlab-plot'); if (g) g.__bnlabToken = token; }

// The knob row of an output: each control's key, kind, shown value and accessibility attributes.
function knobReport(id) {
  const row = document.getElementById(id)?.querySelector('.bnlab-knobs');
  if (!row) return null;
  return {
    role: row.getAttribute('role'),
    knobs: [...row.querySelectorAll('.bnlab-knob')].map((box) => {
      const label = box.querySelector('label');
      const target = label ? document.getElementById(label.htmlFor) : null;
      const inputs = [...box.querySelectorAll('input, select')];
      return {
        key: box.dataset.key,
        kind: [...box.classList].find((c) => c.startsWith('bnlab-knob-'))?.slice('bnlab-knob-'.length),
        title: box.title,
        label: label?.textContent ?? null,
        labelled: !!target && box.contains(target),
        controls: inputs.map((i) => ({
          tag: i.tagName.toLowerCase(), type: i.type, value: i.type === 'checkbox' ? String(i.checked) : i.value,
          min: i.min, max: i.max, ariaLabel: i.getAttribute('aria-label'), ariaValueText: i.getAttribute('aria-valuetext'),
          invalid: i.getAttribute('aria-invalid'), disabled: i.disabled, background: getComputedStyle(i).backgroundColor,
        })),
      };
    }),
  };
}
// A person's change of a control: set it, then input (and, unless dragging, change) events.
function operate(id, key, index, value, events) {
  const box = [...document.getElementById(id).querySelectorAll('.bnlab-knob')].find((b) => b.dataset.key === key);
  const control = [...box.querySelectorAll('input, select')][index];
  if (control.type === 'checkbox') control.checked = value; else control.value = String(value);
  for (const type of events) control.dispatchEvent(new Event(type, { bubbles: true }));
}

function rect(node) { const r = node.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }; }

function inspect(id) {
  const el = document.getElementById(id);
  const graph = el?.querySelector('.js-plotly-plot');
  const q = (sel) => [...(el?.querySelectorAll(sel) ?? [])];
  const fill = (node) => node ? getComputedStyle(node).fill : null;
  const svg = graph?.querySelector('svg.main-svg');
  return {
    childCount: el?.childElementCount ?? 0,
    hasGraph: !!graph,
    hasPlotlyState: !!(graph && (graph._fullLayout || graph._fullData)),
    role: el?.querySelector('[role="img"]')?.getAttribute('role') ?? null,
    ariaLabel: el?.querySelector('[role="img"]')?.getAttribute('aria-label') ?? null,
    barTraces: q('.barlayer .trace.bars').length,
    barPaths: q('.barlayer .trace.bars .point path').length,
    subplots: q('.cartesianlayer > .subplot.xy, .cartesianlayer > g.subplot').length,
    xAxes: q('.xaxislayer-above').length,
    titleText: el?.querySelector('.gtitle')?.textContent ?? null,
    titleFill: fill(el?.querySelector('.gtitle')),
    tickFill: fill(el?.querySelector('.xaxislayer-above text')),
    annotationTexts: q('.annotation-text').map((n) => n.textContent),
    xTitles: q('svg text').filter((n) => /^x\\d*title$/.test(n.getAttribute('class') ?? '')).map((n) => n.textContent),
    barFill: el?.querySelector('.barlayer .point path')?.style.fill ?? null,
    barStrokeWidth: parseFloat(el?.querySelector('.barlayer .point path')?.style.strokeWidth ?? '0'),
    meanLineWidth: Math.max(0, ...q('.shapelayer path').map((p) => parseFloat(p.style.strokeWidth || '0'))),
    paperFill: svg ? getComputedStyle(svg).backgroundColor : null,
    svgWidth: svg ? Number(svg.getAttribute('width')) : 0,
    svgHeight: svg ? Number(svg.getAttribute('height')) : 0,
    modebarButtons: q('.modebar-btn').map((b) => b.getAttribute('data-title') ?? b.getAttribute('data-attr') ?? '?'),
    plotlyLogo: q('.modebar-btn--logo').length > 0,
    errorText: el?.querySelector('.bnlab-plot-error')?.textContent ?? null,
    errorMessage: el?.querySelector('.bnlab-plot-error-message')?.textContent ?? null,
  };
}

// Tick labels of every x axis: how many, whether any two on one axis overlap, whether any leaves the svg.
function tickReport(id) {
  const el = document.getElementById(id);
  const svg = el.querySelector('svg.main-svg');
  const box = rect(svg);
  const axes = [...el.querySelectorAll('.xaxislayer-above')].map((layer) => {
    const labels = [...layer.querySelectorAll('text')].filter((t) => t.textContent && getComputedStyle(t).display !== 'none' && t.getAttribute('opacity') !== '0');
    const rects = labels.map(rect);
    let overlaps = 0;
    for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
      const a = rects[i], b = rects[j];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
    }
    const clipped = rects.filter((r) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5).length;
    return { labels: labels.map((t) => t.textContent), overlaps, clipped, maxChars: Math.max(0, ...labels.map((t) => t.textContent.length)) };
  });
  // Everything written in the figure (titles, annotations, labels) must lie inside the svg.
  const texts = [...el.querySelectorAll('svg text')].filter((t) => t.textContent && getComputedStyle(t).display !== 'none');
  const outside = texts.filter((t) => { const r = rect(t); return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5); }).map((t) => t.textContent);
  return { axes, outside };
}

function setWidth(id, px) { element(id).style.width = px + 'px'; }

// Keeps a reference to an output's graph div, to check after disposal that plotly let go of it.
const held = new Map();
function hold(id) { held.set(id, document.getElementById(id)?.querySelector('.js-plotly-plot') ?? null); }
function heldState(id) {
  const graph = held.get(id);
  return graph ? { connected: graph.isConnected, fullLayout: graph._fullLayout !== undefined, fullData: graph._fullData !== undefined, children: graph.childElementCount } : null;
}

window.bn = { messages, send, liveReport, markGraph, knobReport, operate, render, dispose, inspect, tickReport, setTheme, setWidth, hold, heldState, figureReport, takeLongTasks, pointCentre, hoverText, legendItemCentre, scrollToY, liveGraphs, isDrawn, ready: true };
</script>
</body>
</html>`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` (the bundle) and the harness page at `/` on 127.0.0.1. */
export async function serve(dir: string): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' });
      response.end(PAGE);
      return;
    }
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        response.end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// ---------------------------------------------------------------------------------------------------
// Typed access to the page's `window.bn`
// ---------------------------------------------------------------------------------------------------

export interface Inspection {
  childCount: number;
  hasGraph: boolean;
  hasPlotlyState: boolean;
  role: string | null;
  ariaLabel: string | null;
  barTraces: number;
  barPaths: number;
  subplots: number;
  xAxes: number;
  titleText: string | null;
  titleFill: string | null;
  tickFill: string | null;
  annotationTexts: string[];
  xTitles: string[];
  barFill: string | null;
  barStrokeWidth: number;
  meanLineWidth: number;
  paperFill: string | null;
  svgWidth: number;
  svgHeight: number;
  modebarButtons: string[];
  plotlyLogo: boolean;
  errorText: string | null;
  errorMessage: string | null;
}

export interface TickReport {
  axes: Array<{ labels: string[]; overlaps: number; clipped: number; maxChars: number }>;
  outside: string[];
}

export interface Report {
  type: string;
  outputId: string;
  kind?: string;
  traces?: number;
  message?: string;
}

export interface FigureReport {
  drawn: boolean;
  svgTraces: number;
  scatterTraces: number;
  heatmaps: number;
  subplots: number;
  xAxes: number;
  yAxes: number;
  axisTypes: Record<string, string>;
  axisTitles: string[];
  xTickTexts: string[];
  legend: Array<{ text: string; color: string | null; opacity: string }>;
  annotations: string[];
  title: string | null;
  subtitle: string | null;
  fullData: Array<{
    name: string;
    type: string;
    legendgroup: string;
    showlegend: boolean;
    visible: boolean | string;
    color: string | null;
    symbol: string | null;
    points: number;
    uid: string;
    xaxis: string;
    yaxis: string;
  }>;
  height: number;
  placeholderHeight: number;
  ranges: Record<string, [number, number]>;
}

export interface LiveReport {
  drawn: boolean;
  graphToken: string | null;
  ranges: Record<string, [number, number]>;
  traces: Array<{
    name: string;
    uid: string;
    legendgroup: string;
    visible: boolean | string;
    showlegend: boolean;
    opacity: number;
    hoverinfo: string;
    points: number;
    xaxis: string;
    yaxis: string;
    type: string;
  }>;
  legend: string[];
  annotations: string[];
  ariaLabel: string | null;
  children: string[];
  badge: { text: string; stroke: string | null; strokeWidth: number } | null;
}

export interface KnobReport {
  role: string | null;
  knobs: Array<{
    key: string;
    kind: string;
    title: string;
    label: string | null;
    labelled: boolean;
    controls: Array<{
      tag: string;
      type: string;
      value: string;
      min: string;
      max: string;
      ariaLabel: string | null;
      ariaValueText: string | null;
      invalid: string | null;
      disabled: boolean;
      background: string;
    }>;
  }>;
}

interface PageApi {
  messages: Report[];
  send(message: unknown): void;
  liveReport(id: string): LiveReport;
  markGraph(id: string, token: string): void;
  knobReport(id: string): KnobReport | null;
  operate(id: string, key: string, index: number, value: unknown, events: string[]): void;
  render(id: string, text: string, mime?: string, scroll?: boolean): Promise<void>;
  figureReport(id: string): FigureReport;
  takeLongTasks(): number[];
  pointCentre(id: string, uid: string): { x: number; y: number } | null;
  hoverText(id: string): string;
  legendItemCentre(id: string, text: string): { x: number; y: number } | null;
  scrollToY(y: number): number;
  liveGraphs(): number;
  dispose(id?: string): void;
  inspect(id: string): Inspection;
  tickReport(id: string): TickReport;
  setTheme(kind: HarnessTheme): void;
  setWidth(id: string, px: number): void;
  hold(id: string): void;
  heldState(id: string): HeldState | null;
}

export interface HeldState {
  connected: boolean;
  fullLayout: boolean;
  fullData: boolean;
  children: number;
}

type PageCall = Record<string, Record<string, (...args: unknown[]) => unknown>>;

export class Harness {
  /** Uncaught exceptions and console errors in the page. */
  readonly errors: string[] = [];
  /** Every URL the page requested, in order. */
  readonly requests: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.errors.push(error.message));
    page.on('console', (message) => {
      // failed requests are reported with their URL below
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) this.errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) this.errors.push(`HTTP ${response.status()} ${response.url()}`);
    });
    page.on('request', (request) => this.requests.push(request.url()));
  }

  static async open(browser: Browser, url: string): Promise<Harness> {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 }, deviceScaleFactor: 1 });
    const harness = new Harness(page);
    await page.goto(url);
    try {
      await page.waitForFunction(() => (globalThis as unknown as PageCall).bn?.ready === (true as unknown), undefined, {
        timeout: 10_000,
      });
    } catch (error) {
      throw new Error(`harness page did not start: ${harness.errors.join('; ') || String(error)}`, { cause: error });
    }
    return harness;
  }

  /** Calls `window.bn[method](...args)` in the page (the function is serialized: no closures). */
  private call<K extends keyof PageApi>(method: K, ...args: unknown[]): Promise<PageApi[K] extends (...a: never[]) => infer R ? Awaited<R> : PageApi[K]> {
    return this.page.evaluate(
      ([m, a]) => {
        const api = (globalThis as unknown as PageCall).bn!;
        const member = api[m as string] as unknown;
        return typeof member === 'function' ? (member as (...x: unknown[]) => unknown)(...(a as unknown[])) : member;
      },
      [method, args] as const,
    ) as never;
  }

  render(id: string, payload: unknown, options: { raw?: boolean; mime?: string; scroll?: boolean } = {}): Promise<void> {
    const text = options.raw ? String(payload) : JSON.stringify(payload);
    return this.call('render', id, text, options.mime ?? 'application/vnd.bnlab.plot+json', options.scroll ?? true);
  }

  /** Delivers a message from the extension to the renderer (onDidReceiveMessage). */
  send(message: unknown): Promise<void> {
    return this.call('send', message);
  }

  live(id: string): Promise<LiveReport> {
    return this.call('liveReport', id);
  }

  markGraph(id: string, token: string): Promise<void> {
    return this.call('markGraph', id, token);
  }

  knobs(id: string): Promise<KnobReport | null> {
    return this.call('knobReport', id);
  }

  /** Sets control `index` of knob `key` to `value` and fires `events` on it, as a person's interaction would. */
  operate(id: string, key: string, index: number, value: unknown, events: string[]): Promise<void> {
    return this.call('operate', id, key, index, value, events);
  }

  figure(id: string): Promise<FigureReport> {
    return this.call('figureReport', id);
  }

  takeLongTasks(): Promise<number[]> {
    return this.call('takeLongTasks');
  }

  pointCentre(id: string, uid: string): Promise<{ x: number; y: number } | null> {
    return this.call('pointCentre', id, uid);
  }

  hoverText(id: string): Promise<string> {
    return this.call('hoverText', id);
  }

  legendItemCentre(id: string, text: string): Promise<{ x: number; y: number } | null> {
    return this.call('legendItemCentre', id, text);
  }

  scrollToY(y: number): Promise<number> {
    return this.call('scrollToY', y);
  }

  liveGraphs(): Promise<number> {
    return this.call('liveGraphs');
  }

  /** Waits until plotly has drawn output `id` (it may start as a placeholder far from the viewport). */
  async waitDrawn(id: string, timeoutMs = 10_000): Promise<void> {
    await this.page.waitForFunction(`window.bn.isDrawn(${JSON.stringify(id)})`, undefined, { timeout: timeoutMs });
  }

  /** Waits until the hover label of output `id` matches `pattern`; returns its text. */
  async waitHover(id: string, pattern: RegExp, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = await this.hoverText(id);
    while (!pattern.test(text) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      text = await this.hoverText(id);
    }
    return text;
  }

  /** Polls `read` until `ok` holds or the time is up; returns the last value. */
  async poll<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!ok(value) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      value = await read();
    }
    return value;
  }

  dispose(id?: string): Promise<void> {
    return this.call('dispose', ...(id === undefined ? [] : [id]));
  }

  inspect(id: string): Promise<Inspection> {
    return this.call('inspect', id);
  }

  ticks(id: string): Promise<TickReport> {
    return this.call('tickReport', id);
  }

  messages(): Promise<Report[]> {
    return this.call('messages');
  }

  setTheme(kind: HarnessTheme): Promise<void> {
    return this.call('setTheme', kind);
  }

  setWidth(id: string, px: number): Promise<void> {
    return this.call('setWidth', id, px);
  }

  hold(id: string): Promise<void> {
    return this.call('hold', id);
  }

  heldState(id: string): Promise<HeldState | null> {
    return this.call('heldState', id);
  }

  /** Polls `inspect(id)` until `ok` holds (theme recolours and resizes happen asynchronously). */
  async waitFor(id: string, ok: (state: Inspection) => boolean, timeoutMs = 5000): Promise<Inspection> {
    const deadline = Date.now() + timeoutMs;
    let state = await this.inspect(id);
    while (!ok(state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      state = await this.inspect(id);
    }
    return state;
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

// The payloads live in synthetic.ts (no browser or server code), so the in-host integration tests can use them.
export { distribution, distributionPayload, FEATURES, lcg, type DistributionPayload } from './synthetic';
