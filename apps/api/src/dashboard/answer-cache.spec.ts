import { AnswerCache } from './answer-cache.js';

const at = (position: number, generation = 'g1') => ({ position, generation });
const inRound = (position: number, id: string, version: number, generation = 'g1') => ({
  position,
  generation,
  round: { id, version },
});

describe('AnswerCache', () => {
  it('answers an identical request at the same checkpoint from memory, and recomputes when the checkpoint moves', async () => {
    const cache = new AnswerCache();
    let calls = 0;
    const compute = async () => ({ n: ++calls });
    expect(await cache.answer('k', at(5), compute)).toEqual({ n: 1 });
    expect(await cache.answer('k', at(5), compute)).toEqual({ n: 1 });
    expect(await cache.answer('other', at(5), compute)).toEqual({ n: 2 });
    expect(await cache.answer('k', at(6), compute)).toEqual({ n: 3 });
    // A rebuild's swap: same position, new generation.
    expect(await cache.answer('k', at(6, 'g2'), compute)).toEqual({ n: 4 });
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({
      hits: 1,
      misses: 4,
    });
  });

  it('shares one computation between concurrent identical requests', async () => {
    const cache = new AnswerCache();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      calls++;
      await gate;
      return calls;
    };
    const answers = Promise.all([cache.answer('k', at(1), compute), cache.answer('k', at(1), compute)]);
    release();
    expect(await answers).toEqual([1, 1]);
    expect(calls).toBe(1);
  });

  it('keeps nothing without a checkpoint (read models not built) and forgets a failed computation', async () => {
    const cache = new AnswerCache();
    let calls = 0;
    const compute = async () => ++calls;
    await cache.answer('k', undefined, compute);
    await cache.answer('k', at(0, ''), compute);
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
    await expect(cache.answer('k', at(1), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.answer('k', at(1), compute)).toBe(3);
  });

  it('holds at most its capacity, dropping the least recently used answer', async () => {
    const cache = new AnswerCache(2);
    let calls = 0;
    const compute = async () => ++calls;
    await cache.answer('a', at(1), compute);
    await cache.answer('b', at(1), compute);
    await cache.answer('a', at(1), compute); // a is now the most recently used
    await cache.answer('c', at(1), compute); // drops b
    expect(cache.size).toBe(2);
    expect(await cache.answer('a', at(1), compute)).toBe(1);
    expect(await cache.answer('b', at(1), compute)).toBe(4);
  });

  it("keeps an answer confined to one round while other rounds change, and recomputes when that round's version moves", async () => {
    const cache = new AnswerCache();
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.answer('overview r1', inRound(10, 'r1', 7), compute, 'r1')).toBe(1);
    // Batches at 11 and 12 changed other rounds only: the version of r1 is still 7.
    expect(await cache.answer('overview r1', inRound(11, 'r1', 7), compute, 'r1')).toBe(1);
    expect(await cache.answer('overview r1', inRound(12, 'r1', 7), compute, 'r1')).toBe(1);
    // A batch at 13 changed r1.
    expect(await cache.answer('overview r1', inRound(13, 'r1', 13), compute, 'r1')).toBe(2);
    // A rebuild's swap: a new generation, whatever the version.
    expect(await cache.answer('overview r1', inRound(13, 'r1', 13, 'g2'), compute, 'r1')).toBe(3);
    // The version of another round than the answer's, or none, does not keep it: the position does.
    expect(await cache.answer('k', inRound(20, 'r2', 5), compute, 'r1')).toBe(4);
    expect(await cache.answer('k', inRound(21, 'r2', 5), compute, 'r1')).toBe(5);
    expect(await cache.answer('k2', inRound(20, 'r1', 5), compute)).toBe(6);
    expect(await cache.answer('k2', inRound(21, 'r1', 5), compute)).toBe(7);
  });
});
