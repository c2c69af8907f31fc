/** Throttled progress events for one file job (and the memory nudge that goes with its blocks). */
import { canReleaseBuffers } from '../crypto/age/index.js';
import { GarbageNudge } from './fileIo.js';
import type { VaultPort } from './vaultPort.js';

const PROGRESS_MIN_BYTES = 1 << 20;
const PROGRESS_MIN_MS = 100;

export class Progress {
  private readonly nudge = new GarbageNudge();
  private done = 0;
  private lastBytes = 0;
  private lastTime = 0;

  constructor(
    private readonly vault: Pick<VaultPort, 'progress'>,
    private readonly jobId: string,
    private readonly total: number,
  ) {}

  add(n: number): void {
    this.nudge.add(n);
    this.count(n);
  }

  private count(n: number): void {
    this.done += n;
    const now = Date.now();
    if (this.done - this.lastBytes >= PROGRESS_MIN_BYTES && now - this.lastTime >= PROGRESS_MIN_MS) this.emit(now);
  }

  /** As add(), for jobs whose buffers are released as they go (no collection needed). */
  advance(n: number): void {
    // Without buffer release (crypto/age/blocks.ts), node:crypto results wait for the GC.
    if (!canReleaseBuffers()) this.nudge.add(n);
    this.count(n);
  }

  finish(): void {
    this.done = Math.max(this.done, this.total);
    this.emit(Date.now());
  }

  private emit(now: number): void {
    this.lastBytes = this.done;
    this.lastTime = now;
    this.vault.progress({ JobId: this.jobId, BytesDone: this.done, BytesTotal: this.total });
  }
}
