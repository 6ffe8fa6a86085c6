// Progress of `s3-backup run` for a person at a terminal: one line per asset, redrawn in place
// (bytes read and sent, rate, elapsed). Only when stderr or stdout is a terminal; under cron
// neither is, and nothing is drawn, so cron mails only the summary and errors.
import { humanBytes } from "./log.js";

/** What a transfer in flight can tell: bytes sent to S3 (compressed), and read from the producer where counted. */
export interface Gauges {
  sent(): number;
  read?(): number;
}

export interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

/** The terminal to draw on: stderr if it is one, else stdout if it is one, else none. */
export function progressTerminal(): Terminal | undefined {
  if (process.stderr.isTTY) return process.stderr;
  if (process.stdout.isTTY) return process.stdout;
  return undefined;
}

const REDRAW_MS = 500;

export class Progress {
  private timer?: NodeJS.Timeout;
  private line = "";

  constructor(
    private readonly term: Terminal | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Starts redrawing the line of `name` until `end`. */
  begin(name: string, gauges: Gauges, expectedBytes?: number): void {
    if (!this.term) return;
    this.end();
    const t0 = this.clock();
    const draw = () => this.draw(progressLine(name, gauges.sent(), this.clock() - t0, gauges.read?.(), expectedBytes));
    draw();
    this.timer = setInterval(draw, REDRAW_MS);
    this.timer.unref();
  }

  /** Clears the line, so the next output starts on a clean one. */
  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.term && this.line) this.term.write("\r\x1b[K");
    this.line = "";
  }

  private draw(text: string): void {
    // A pseudo-terminal without a size reports 0 columns.
    const width = Math.max(20, (this.term!.columns || 80) - 1);
    this.line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.term!.write(`\r\x1b[K${this.line}`);
  }
}

/** "  var_www_site: 12.0 MiB read (40%), 3.1 MiB sent, 1.0 MiB/s, 0:03" (the rate is of what was sent). */
export function progressLine(name: string, sent: number, elapsedMs: number, read?: number, expected?: number): string {
  const s = elapsedMs / 1000;
  const pct = read !== undefined && expected ? ` (${Math.min(99, Math.floor((read / expected) * 100))}%)` : "";
  const readPart = read !== undefined ? `${humanBytes(read)} read${pct}, ` : "";
  const rate = s > 0 ? `${humanBytes(Math.round(sent / s))}/s` : "-";
  const clock = `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  return `  ${name}: ${readPart}${humanBytes(sent)} sent, ${rate}, ${clock}`;
}
