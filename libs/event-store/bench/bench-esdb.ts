/**
 * `npm run bench:store -- --adapter esdb`: the EsdbEventStore against the server named by
 * EVENTSTORE_CONNECTION_STRING (a real EventStoreDB/KurrentDB; the test server only as a smoke test).
 * Measures appends/s with BENCH_LOAD_WRITERS writers for BENCH_SECONDS, readAll over what was written,
 * and subscription delivery latency over 50 spaced appends. Writes under a namespace of its own.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EsdbEventStore, type NewEvent } from '@app/event-store';

const num = (name: string, fallback: number) => Number(process.env[name]?.trim() || fallback);
const actor = { id: 'bench', username: 'bench', role: 'admin' };
const event = (i: number): NewEvent => ({ type: 'BenchTick', data: { i, note: '巡察 bench' }, metadata: { actor } });

export async function benchEsdb(): Promise<void> {
  const connectionString = process.env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (!connectionString)
    throw new Error('--adapter esdb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false)');
  const seconds = num('BENCH_SECONDS', 6);
  const writers = num('BENCH_LOAD_WRITERS', 4);
  const namespace = `bench-${randomUUID().slice(0, 8)}-`;
  const store = await EsdbEventStore.open({ connectionString, namespace });
  try {
    console.log(
      `EventStoreDB benchmark on ${connectionString.replace(/\/\/[^@]*@/, '//***@')} (namespace ${namespace})`,
    );
    const deadline = performance.now() + seconds * 1000;
    let appended = 0;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const stream = `bench-${w}-${randomUUID()}`;
        for (let revision = 0; performance.now() < deadline; revision++) {
          const t = performance.now();
          await store.appendToStream(stream, [event(revision)], { expectedRevision: revision });
          latencies.push(performance.now() - t);
          appended++;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const pct = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor(list.length * p))] ?? NaN;
    console.log(
      `append (${writers} writers, 1 event each): ${(appended / seconds).toFixed(0)} events/s, ` +
        `p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms`,
    );

    let read = 0;
    const readStarted = performance.now();
    for (let position = 0; ;) {
      const page = await store.readAll({ fromPosition: position, limit: 1000 });
      read += page.length;
      if (page.length < 1000) break;
      position = page[page.length - 1].position;
    }
    console.log(`readAll: ${read} events in ${(performance.now() - readStarted).toFixed(0)} ms`);

    const head = await store.headPosition();
    const sent = new Map<number, number>();
    const lags: number[] = [];
    const sub = store.subscribeToAll({ fromPosition: head }, async (batch) => {
      for (const e of batch) lags.push(performance.now() - (sent.get((e.data as { i: number }).i) ?? NaN));
    });
    const stream = `bench-sub-${randomUUID()}`;
    for (let i = 0; i < 50; i++) {
      sent.set(i, performance.now());
      await store.appendToStream(stream, [event(i)]);
      await new Promise((r) => setTimeout(r, 20));
    }
    while (lags.length < 50) await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    lags.sort((a, b) => a - b);
    console.log(
      `subscription delivery (append start → handler): p50 ${pct(lags, 0.5).toFixed(1)} ms, p99 ${pct(lags, 0.99).toFixed(1)} ms`,
    );
    const report = await store.verifyAll();
    console.log(
      `verifyAll: ${report.ok ? 'intact' : 'BROKEN'}, ${report.eventsChecked} events in ${report.streamsChecked} streams`,
    );
  } finally {
    await store.close();
  }
}
