import pg from 'pg';
import { eventRowTypes, parseTimestamptz } from '../src/postgres/timestamps.js';

/** What pg answers without the store's parser: postgres-date. */
const pgParse = pg.types.getTypeParser(1184, 'text') as (text: string) => Date | number | null;

const same = (text: string) => {
  const want = pgParse(text);
  const got = parseTimestamptz(text);
  return { text, got: got instanceof Date ? got.getTime() : got, want: want instanceof Date ? want.getTime() : want };
};

/** A seeded generator, so that a failure names the same texts again. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}
const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('the store’s timestamptz parser gives the Date pg’s own parser gives', () => {
  it('for every fraction of 1 to 3 digits (where its integer arithmetic could part from 1000 × parseFloat)', () => {
    const texts: string[] = [];
    for (const digits of [1, 2, 3])
      for (let f = 0; f < 10 ** digits; f++) texts.push(`2026-11-20 08:12:33.${pad(f, digits)}+00`);
    const differ = texts.map(same).filter((r) => r.got !== r.want);
    expect(differ).toEqual([]);
    expect(texts).toHaveLength(1110);
  });

  it('for 20,000 generated texts: years 100–9999, every offset form PostgreSQL writes, fractions of 0 to 6 digits', () => {
    const next = rng(20261202);
    const texts: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const fraction = next(7);
      const offsetForm = next(4);
      const sign = next(2) ? '+' : '-';
      const offset =
        offsetForm === 0
          ? ''
          : `${sign}${pad(next(16), 2)}` +
            (offsetForm >= 2 ? `:${pad(next(60), 2)}` : '') +
            (offsetForm === 3 ? `:${pad(next(60), 2)}` : '');
      texts.push(
        `${pad(100 + next(9900), 4)}-${pad(1 + next(12), 2)}-${pad(1 + next(28), 2)} ` +
          `${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}` +
          (fraction ? `.${pad(next(10 ** fraction), fraction)}` : '') +
          (offset || '+00'),
      );
    }
    const differ = texts.map(same).filter((r) => r.got !== r.want);
    expect(differ).toEqual([]);
  });

  it('for what only pg’s parser takes: infinity, BC, years below 100 and above 9999, other date styles', () => {
    const texts = [
      'infinity',
      '-infinity',
      '0044-03-15 12:00:00+00 BC',
      '0001-01-01 00:00:00+00',
      '0099-12-31 23:59:59.999+00',
      '12026-01-01 00:00:00+00',
      '2026-11-20 08:12:33.1234567+08',
      '2026-11-20 08:12:33.123456-03:30',
      '2026-11-20T08:12:33Z',
      '11/20/2026 08:12:33.123 UTC',
      '2026-11-20',
    ];
    for (const text of texts) {
      const r = same(text);
      if (typeof r.want === 'number' && Number.isNaN(r.want)) expect(Number.isNaN(r.got)).toBe(true);
      else expect(r).toEqual({ text, got: r.want, want: r.want });
    }
  });

  it('for what a real PostgreSQL writes in zones with odd offsets, past and present', async () => {
    const url = process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const zones = [
        'UTC',
        'Asia/Shanghai',
        'America/St_Johns',
        'Asia/Kathmandu',
        'Europe/Amsterdam',
        'Pacific/Chatham',
      ];
      let compared = 0;
      for (const zone of zones) {
        await client.query(`SET TimeZone = '${zone}'`);
        // 1850 (local mean times, offsets with seconds) to 2040, each with a millisecond and a microsecond value.
        const sql = `SELECT t, t::text AS text, date_trunc('milliseconds', t) AS ms, date_trunc('milliseconds', t)::text AS ms_text
                       FROM generate_series(timestamptz '1850-01-01 00:00:00.123456+00', timestamptz '2040-01-01', interval '97 days 3 hours 7.654321 seconds') AS t`;
        const fast = await client.query({ text: sql, types: eventRowTypes });
        const slow = await client.query({ text: sql });
        expect(fast.rows.length).toBe(slow.rows.length);
        fast.rows.forEach((row, i) => {
          const want = slow.rows[i] as { t: Date; ms: Date; text: string; ms_text: string };
          expect([row.text, (row.t as Date).getTime()]).toEqual([want.text, want.t.getTime()]);
          expect([row.ms_text, (row.ms as Date).getTime()]).toEqual([want.ms_text, want.ms.getTime()]);
        });
        compared += fast.rows.length * 2;
      }
      expect(compared).toBeGreaterThan(8_000);
    } finally {
      await client.end();
    }
  });

  it('leaves every other type to pg', () => {
    for (const oid of [20, 23, 25, 114, 1082, 1114, 3802, 17])
      expect(eventRowTypes.getTypeParser(oid, 'text')).toBe(pg.types.getTypeParser(oid, 'text'));
    expect(eventRowTypes.getTypeParser(1184, 'text')).toBe(parseTimestamptz);
  });
});
