// What `zkurator run` shows while it waits: how many are ahead and for how long. On a terminal
// one line is redrawn every second; elsewhere (when asked with --progress) a line is written
// each time the position changes, so logs stay short.
import type { QueuePosition } from '../locks/engine/deadline.js';
import { formatDuration } from './cli-failure.js';

/** Where the CLI writes text: process.stdout or process.stderr (or a test's stand-in). */
export interface TextSink {
  write(text: string): unknown;
}

export interface ProgressStream extends TextSink {
  readonly isTTY?: boolean;
}

export class QueueProgress {
  private readonly started = performance.now();
  private ahead: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly lockPath: string,
    private readonly enabled: boolean,
  ) {}

  /** Places ahead at the last look (undefined until the acquire had to wait). */
  get lastAhead(): number | undefined {
    return this.ahead;
  }

  get waitedMs(): number {
    return performance.now() - this.started;
  }

  /** The acquire's onQueued callback. */
  readonly update = (position: QueuePosition): void => {
    const changed = position.ahead !== this.ahead;
    this.ahead = position.ahead;
    if (!this.enabled) return;
    if (this.out.isTTY) {
      this.draw();
      this.timer ??= setInterval(() => this.draw(), 1_000).unref();
    } else if (changed) {
      this.out.write(`zkurator: waiting for ${this.lockPath}: ${this.describe()}\n`);
    }
  };

  /** Stops redrawing; says how long the wait took if it was shown. */
  finish(acquired: boolean): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
    if (acquired && this.enabled && this.ahead !== undefined) {
      this.out.write(`zkurator: acquired ${this.lockPath} after ${formatDuration(this.waitedMs)}\n`);
    }
  }

  private describe(): string {
    return `${this.ahead} ahead, waited ${formatDuration(this.waitedMs)}`;
  }

  private draw(): void {
    this.out.write(`\r\x1b[Kzkurator: waiting for ${this.lockPath}: ${this.describe()}`);
    this.drawn = true;
  }
}
