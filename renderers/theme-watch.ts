/**
 * Watches the webview for VS Code theme changes (the body's theme class and data attributes, the
 * `--vscode-*` variables on <html>) and calls back once per batch of changes.
 */
const BODY_THEME_ATTRIBUTES = ['class', 'style', 'data-vscode-theme-kind', 'data-vscode-theme-id', 'data-vscode-theme-name'];

export class ThemeWatch {
  private observer: MutationObserver | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly changed: () => void) {}

  start(): void {
    if (this.observer) return;
    this.observer = new MutationObserver(() => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.changed();
      }, 0);
    });
    this.observer.observe(document.body, { attributes: true, attributeFilter: BODY_THEME_ATTRIBUTES });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
