// Coalesces bursts of source changes: fire after `quietMs` without a change, or `maxMs` after the first one.

export class Debouncer {
  private quietTimer?: NodeJS.Timeout;
  private maxTimer?: NodeJS.Timeout;
  /** Changes absorbed since the last fire (for metrics). */
  pending = 0;

  constructor(private readonly fire: () => void, private readonly quietMs = 100, private readonly maxMs = 1000) {}

  poke(): void {
    this.pending++;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.quietMs);
    this.maxTimer ??= setTimeout(() => this.flush(), this.maxMs);
  }

  flush(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
    if (this.pending === 0) return;
    this.pending = 0;
    this.fire();
  }

  cancel(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
    this.pending = 0;
  }
}
