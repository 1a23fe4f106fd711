import type { EventStore } from '@app/event-store';
import { ProjectionStatus } from './projection-status.service.js';
import type { ProjectorService } from './projector.service.js';

interface Call {
  text: string;
  values: unknown[];
  answer: (rows: unknown[]) => void;
  fail: (error: unknown) => void;
}

/** A pool whose statements answer when the test says so. */
function fakePool() {
  const calls: Call[] = [];
  const pool = {
    query: (text: string, values: unknown[] = []) =>
      new Promise((resolve, reject) => {
        calls.push({ text, values, answer: (rows) => resolve({ rows }), fail: reject });
      }),
  };
  const status = new ProjectionStatus(
    { projector: { pool } } as unknown as ProjectorService,
    {} as unknown as EventStore,
  );
  return { calls, status };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProjectionStatus.checkpoint: concurrent requests share reads', () => {
  it('answers 32 concurrent requests with two statements, each with its own round’s version', async () => {
    const { calls, status } = fakePool();
    const rounds = ['r1', 'r2', 'r3', undefined];
    const asked = Array.from({ length: 32 }, (_, i) => rounds[i % 4]);
    const answers = Promise.all(asked.map((round) => status.checkpoint(round)));
    await tick();
    // The first request found no read running and started one; the 31 others wait for the next.
    expect(calls).toHaveLength(1);
    expect(calls[0].values).toEqual([['all', 'round:r1']]);
    calls[0].answer([{ position: '40', generation: 'g', versions: { 'round:r1': 12, all: 7 } }]);
    await tick();
    expect(calls).toHaveLength(2);
    // One statement for the rest, with every round they ask about.
    expect(calls[1].values).toEqual([['all', 'round:r2', 'round:r3', 'round:r1']]);
    calls[1].answer([{ position: '41', generation: 'g', versions: { 'round:r1': 41, 'round:r2': 3, all: 7 } }]);
    const got = await answers;
    expect(got[0]).toEqual({ position: 40, generation: 'g', round: { id: 'r1', version: 12 } });
    expect(got[4]).toEqual({ position: 41, generation: 'g', round: { id: 'r1', version: 41 } });
    // A round with a version older than that of rows of no one round: the later one counts.
    expect(got[1]).toEqual({ position: 41, generation: 'g', round: { id: 'r2', version: 7 } });
    // No row for the round: 'all' alone.
    expect(got[2]).toEqual({ position: 41, generation: 'g', round: { id: 'r3', version: 7 } });
    expect(got[3]).toEqual({ position: 41, generation: 'g' });
    expect({ reads: status.reads, requests: status.requests }).toEqual({ reads: 2, requests: 32 });
  });

  it('never answers a request with a read that began before it arrived', async () => {
    const { calls, status } = fakePool();
    const first = status.checkpoint();
    await tick();
    // A batch commits, then a request arrives, while the first read (begun before the commit) is running.
    const second = status.checkpoint();
    calls[0].answer([{ position: '10', generation: 'g', versions: null }]);
    expect(await first).toEqual({ position: 10, generation: 'g' });
    await tick();
    expect(calls).toHaveLength(2);
    calls[1].answer([{ position: '11', generation: 'g', versions: null }]);
    expect(await second).toEqual({ position: 11, generation: 'g' });
    // Nothing running: the next request reads at once.
    const third = status.checkpoint();
    await tick();
    expect(calls).toHaveLength(3);
    calls[2].answer([{ position: '11', generation: 'g', versions: null }]);
    expect(await third).toEqual({ position: 11, generation: 'g' });
  });

  it('fails every request of a read that failed, and reads again for the next', async () => {
    const { calls, status } = fakePool();
    const first = status.checkpoint('r1');
    await tick();
    const waiting = [status.checkpoint('r1'), status.checkpoint()];
    calls[0].fail(Object.assign(new Error('connection lost'), { code: '57P01' }));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    calls[1].fail(Object.assign(new Error('connection lost again'), { code: '57P01' }));
    for (const w of waiting) await expect(w).rejects.toThrow('connection lost again');
    const later = status.checkpoint();
    await tick();
    calls[2].answer([{ position: '5', generation: 'g', versions: null }]);
    expect(await later).toEqual({ position: 5, generation: 'g' });
  });

  it('answers without round versions from read models of an earlier version, and position 0 before any exist', async () => {
    const { calls, status } = fakePool();
    const old = status.checkpoint('r1');
    await tick();
    calls[0].fail(Object.assign(new Error('relation "rm.read_versions" does not exist'), { code: '42P01' }));
    await tick();
    expect(calls[1].values).toEqual([]);
    calls[1].answer([{ position: '9', generation: 'g', versions: null }]);
    expect(await old).toEqual({ position: 9, generation: 'g' });

    const none = status.checkpoint();
    await tick();
    calls[2].fail(Object.assign(new Error('schema "rm" does not exist'), { code: '3F000' }));
    expect(await none).toEqual({ position: 0, generation: '' });
  });
});
