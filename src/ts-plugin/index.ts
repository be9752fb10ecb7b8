/**
 * The TypeScript server plugin that VS Code's own TypeScript features load for the lab's notebooks
 * (package.json contributes it as `typescriptServerPlugins`; the build puts it at dist/ts-plugin.js and
 * node_modules/bnlab-ts-plugin/ points there). The extension tells it each notebook's TypeScript cells in
 * order through the `_bnlab.cellOrder` request; cells.ts and decorate.ts do the rest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { NotebookCells } from './cells';
import { decorateHost, decorateService } from './decorate';
import { CELL_ORDER_COMMAND, type CellOrderArguments } from '../shared/ts-plugin-protocol';

type Ts = typeof import('typescript');

/**
 * The server calls the plugin's factory for every project; the notebooks' cells and the request handler
 * are the server's, shared by all its projects.
 */
interface ServerState {
  cells: NotebookCells;
  projects: Set<ts.server.Project>;
  /** Cells arrive one request at a time; a notebook's order takes effect when its last cell has come. */
  pending: Map<string, string[]>;
  handlerAdded: boolean;
}
let state: ServerState | undefined;

function serverState(tsModule: Ts): ServerState {
  if (!state) {
    const scopeInfo = JSON.parse(fs.readFileSync(path.join(__dirname, 'types', 'cell-scope.json'), 'utf8')) as { module: string; names: string[] };
    const cells = new NotebookCells(tsModule, { file: path.join(__dirname, 'types', scopeInfo.module), names: scopeInfo.names });
    state = { cells, projects: new Set(), pending: new Map(), handlerAdded: false };
  }
  return state;
}

function init(modules: { typescript: Ts }): ts.server.PluginModule {
  const tsModule = modules.typescript;
  const shared = serverState(tsModule);
  const { cells, projects, pending } = shared;

  return {
    create(info) {
      projects.add(info.project);
      if (!shared.handlerAdded && info.session) {
        shared.handlerAdded = true;
        info.session.addProtocolHandler(CELL_ORDER_COMMAND, (request) => {
          const args = (request as ts.server.protocol.Request & { arguments: CellOrderArguments }).arguments;
          const files = pending.get(args.notebook) ?? [];
          files.length = args.count;
          files[args.index] = tsModule.server.toNormalizedPath(args.file);
          pending.set(args.notebook, files);
          if (args.index === args.count - 1) {
            pending.delete(args.notebook);
            if (cells.setOrder(args.notebook, Array.from(files, (file) => file ?? ''))) {
              for (const project of projects) if (!project.isClosed()) markDirty(project);
              info.project.projectService.logger.info(`bnlab: ${args.count} TypeScript cell(s) of ${args.notebook}`);
            }
          }
          return { responseRequired: true, response: { cells: args.count } };
        });
      }
      const ownText = decorateHost(tsModule, info.languageServiceHost, cells);
      return decorateService(tsModule, info.languageService, ownText, cells);
    },
  };
}

/** Makes the project read its files' versions again (markAsDirty is the server's own, not in its public types). */
function markDirty(project: ts.server.Project): void {
  (project as unknown as { markAsDirty?: () => void }).markAsDirty?.();
}

module.exports = init;
