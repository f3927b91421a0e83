/**
 * Tells listeners when the app's data changed, which convex-test itself
 * never does: the signal live queries (sync/) follow.
 *
 * It watches convex-test's last commit timestamp, read by the runtime: after
 * every client write (`noteWrite`, awaited before the client gets its reply)
 * and, for writes nobody announces (scheduled functions), by polling every
 * `fast` ms for a few seconds after any write and every `idle` ms otherwise,
 * only while someone listens. The delay for a scheduled function's write is
 * one poll interval at most.
 */

/** How long the watcher polls at its fast interval after a write. */
const FAST_POLL_WINDOW_MS = 5_000;

export class CommitWatcher {
  private readonly listeners = new Set<() => void>();
  /** Last commit timestamp the listeners were told about. */
  private seenTs = 0n;
  private check: Promise<void> | null = null;
  private checkAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private fastUntil = 0;
  private closed = false;

  constructor(
    /** Reads the last commit timestamp; reading it must not move it. */
    private readonly readCommitTs: () => Promise<bigint>,
    /** `[fast, idle]` poll intervals in ms. */
    private readonly pollMs: [number, number] = [10, 100],
  ) {}

  /** Starts from the current timestamp (nothing before it is reported). */
  async start(): Promise<void> {
    this.seenTs = await this.readCommitTs();
  }

  /** Adds a listener; returns its unsubscribe function. */
  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    this.startPolling();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  /** A client's mutation or action ran: tell the listeners of its writes before it replies. */
  async noteWrite(): Promise<void> {
    this.fastUntil = Date.now() + FAST_POLL_WINDOW_MS;
    await this.checkNow();
  }

  /** Tells the listeners if anything committed since they were last told. One check at a time. */
  checkNow(): Promise<void> {
    if (this.check !== null) {
      this.checkAgain = true;
      return this.check;
    }
    const run = async () => {
      do {
        this.checkAgain = false;
        let ts: bigint;
        try {
          ts = await this.readCommitTs();
        } catch (error) {
          console.error("local backend: could not read the commit timestamp", error);
          return;
        }
        if (ts > this.seenTs) {
          this.seenTs = ts;
          // A write (maybe a scheduled function that schedules more): watch closely for a while.
          this.fastUntil = Math.max(this.fastUntil, Date.now() + FAST_POLL_WINDOW_MS);
          this.notify();
        }
      } while (this.checkAgain);
    };
    this.check = run().finally(() => {
      this.check = null;
    });
    return this.check;
  }

  /** Stops polling for good. */
  close(): void {
    this.closed = true;
    this.stopPolling();
  }

  private startPolling(): void {
    if (this.timer !== null || this.closed) return;
    const tick = () => {
      void this.checkNow().finally(() => {
        if (this.timer === null) return;
        const [fast, idle] = this.pollMs;
        this.timer = setTimeout(tick, Date.now() < this.fastUntil ? fast : idle);
        this.timer.unref();
      });
    };
    this.timer = setTimeout(tick, this.pollMs[1]);
    this.timer.unref();
  }

  private stopPolling(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        console.error("local backend: a commit listener failed", error);
      }
    }
  }
}
