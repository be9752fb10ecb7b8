/** Listens to what the plot renderer reports after drawing, so tests (and later diagnostics) can know it drew. */
import * as vscode from 'vscode';
import type { RendererReport } from '../shared/payload';
import { RENDERER_ID } from './constants';

export class RendererReports implements vscode.Disposable {
  readonly received: RendererReport[] = [];
  private readonly emitter = new vscode.EventEmitter<RendererReport>();
  readonly onDidReport = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
    this.subscription = messaging.onDidReceiveMessage(({ message }) => {
      if (!isReport(message)) return;
      this.received.push(message);
      this.emitter.fire(message);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function isReport(message: unknown): message is RendererReport {
  const m = message as Partial<RendererReport> | null;
  return !!m && (m.type === 'rendered' || m.type === 'render-error') && typeof m.outputId === 'string';
}
