import { HashLimiter, HashingBusyError } from './hash-limiter.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('HashLimiter', () => {
  it('runs at most `concurrency` tasks at once and starts the next as one finishes', async () => {
    const limiter = new HashLimiter({ concurrency: 2, maxQueue: 10 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) => limiter.run(async () => (started.push(i), await g.promise, i)));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.running).toBe(2);
    expect(limiter.waiting).toBe(1);
    gates[0].resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[1].resolve();
    gates[2].resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(limiter.running).toBe(0);
  });

  it('gives up after maxWaitMs without running the task, and refuses at once when the queue is full', async () => {
    const limiter = new HashLimiter({ concurrency: 1, maxQueue: 1 });
    const gate = deferred();
    const holder = limiter.run(() => gate.promise);
    let ran = false;
    const waiting = limiter.run(async () => (ran = true), 20);
    await expect(limiter.run(async () => (ran = true), 1000)).rejects.toBeInstanceOf(HashingBusyError);
    await expect(waiting).rejects.toBeInstanceOf(HashingBusyError);
    expect(ran).toBe(false);
    expect(limiter.waiting).toBe(0);
    gate.resolve();
    await holder;
    await expect(limiter.run(async () => 'free again', 20)).resolves.toBe('free again');
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new HashLimiter({ concurrency: 1, maxQueue: 1 });
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.running).toBe(0);
  });
});
