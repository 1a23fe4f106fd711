/** Thrown when a hash waited longer than it may for a free slot, or the queue was full. */
export class HashingBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HashingBusyError';
  }
}

export interface HashLimiterOptions {
  /** How many hashes run at once. */
  concurrency: number;
  /** How many may wait for a slot; one more is refused at once. */
  maxQueue: number;
}

interface Waiter {
  grant(): void;
  timer?: NodeJS.Timeout;
}

/**
 * A counting semaphore around the password hash: each scrypt holds tens of MiB and a core for a
 * while, so a flood of sign-ins must queue (briefly) instead of starting hundreds of them at once.
 */
export class HashLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly options: HashLimiterOptions) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `task` when a slot is free. With `maxWaitMs`, gives up with {@link HashingBusyError} when no
   * slot freed in that time (the task then never runs); without, waits as long as it takes.
   */
  async run<T>(task: () => Promise<T>, maxWaitMs?: number): Promise<T> {
    await this.acquire(maxWaitMs);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(maxWaitMs?: number): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (maxWaitMs !== undefined && this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new HashingBusyError(`${this.queue.length} password checks are already waiting`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          if (waiter.timer) clearTimeout(waiter.timer);
          this.active++;
          resolve();
        },
      };
      if (maxWaitMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new HashingBusyError(`no password check slot was free within ${maxWaitMs} ms`));
        }, maxWaitMs);
      }
      this.queue.push(waiter);
    });
  }

  private release(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) next.grant();
  }
}
