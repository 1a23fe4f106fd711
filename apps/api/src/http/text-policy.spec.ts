import { checkJsonShape } from './json-body.js';
import { findUnreadableString, nfc, unreadableReason, unsafeTextReason } from './text-policy.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('the text policy', () => {
  it('finds NUL and lone surrogates, but not surrogate pairs', () => {
    expect(unreadableReason('a\u0000b')).toBe('nul');
    expect(unreadableReason('a\ud800')).toBe('lone_surrogate');
    expect(unreadableReason('\udc00a')).toBe('lone_surrogate');
    expect(unreadableReason('\ud83d\ude00 emoji 巡察')).toBeUndefined();
  });

  it('names the path of the first unreadable string, in values and keys', () => {
    expect(findUnreadableString({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toEqual({ field: 'a[1].c', reason: 'nul' });
    expect(findUnreadableString({ ['k\ud800']: 1 })).toEqual({ field: 'k\ud800', reason: 'lone_surrogate' });
    expect(findUnreadableString('x\u0000', 'id')).toEqual({ field: 'id', reason: 'nul' });
    expect(findUnreadableString({ a: 1, b: ['fine'] })).toBeUndefined();
  });

  it('refuses controls and bidi controls in names, allows line breaks in free text only', () => {
    expect(unsafeTextReason('区教育局')).toBeUndefined();
    expect(unsafeTextReason('a\u001b[31m')).toMatch(/control/);
    expect(unsafeTextReason('a\u202eb')).toMatch(/bidirectional/);
    expect(unsafeTextReason('a\u2067b', true)).toMatch(/bidirectional/);
    expect(unsafeTextReason('line\nbreak')).toMatch(/control/);
    expect(unsafeTextReason('line\nbreak\ttab', true)).toBeUndefined();
    expect(unsafeTextReason('a\u0085b', true)).toMatch(/control/);
  });

  it('normalises to NFC', () => {
    expect(nfc('Cafe\u0301')).toBe('Caf\u00e9');
    expect(nfc(3)).toBe(3);
  });
});

describe('the JSON shape check', () => {
  it('refuses nesting beyond the limit, counting brackets outside strings only', () => {
    expect(checkJsonShape(bytes('['.repeat(33) + ']'.repeat(33)))?.rule).toBe('maxDepth');
    expect(checkJsonShape(bytes('['.repeat(32) + ']'.repeat(32)))).toBeUndefined();
    expect(checkJsonShape(bytes(JSON.stringify({ a: '['.repeat(100) + '\\"[' })))).toBeUndefined();
  });

  it('refuses arrays longer than the limit, at any depth', () => {
    expect(checkJsonShape(bytes(JSON.stringify(Array(1000).fill(0))))).toBeUndefined();
    expect(checkJsonShape(bytes(JSON.stringify({ a: [Array(1001).fill(0)] })))?.rule).toBe('maxArrayLength');
    // Commas of an object do not count.
    const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    expect(checkJsonShape(bytes(JSON.stringify(wide)))).toBeUndefined();
  });
});
