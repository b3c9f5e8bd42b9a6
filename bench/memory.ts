// Peak RSS between two points of a process. On Linux the kernel keeps the high-water mark (VmHWM in
// /proc/self/status) and resets it on request (writing 5 to /proc/self/clear_refs), which catches peaks
// inside synchronous work that a timer could not sample. Elsewhere (or if that is refused) a 10 ms sampler
// of process.memoryUsage.rss() stands in.
import * as fs from 'node:fs';

function kernelPeak(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetKernelPeak(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export class PeakRss {
  private sampled = 0;
  private readonly kernel: boolean;
  private readonly timer: NodeJS.Timeout;


  constructor() {
    this.kernel = kernelPeak() !== undefined && resetKernelPeak();
    // Reading the RSS costs about half a millisecond: no sampling when the kernel keeps the peak.
    this.timer = setInterval(() => {
      const r = process.memoryUsage.rss();
      if (r > this.sampled) this.sampled = r;
    }, this.kernel ? 2 ** 30 : 10);
    this.timer.unref();
  }

  /** How the peak is measured, for the report. */
  get method(): string {
    return this.kernel ? 'VmHWM (kernel high-water mark, reset between phases)' : 'process.memoryUsage.rss() sampled every 10 ms';
  }

  /** The peak since the last take() (or since construction), then starts a new phase. */
  take(): number {
    const now = process.memoryUsage.rss();
    let peak = Math.max(this.sampled, now);
    if (this.kernel) {
      peak = Math.max(peak, kernelPeak() ?? 0);
      resetKernelPeak();
    }
    this.sampled = process.memoryUsage.rss();
    return peak;
  }
}
