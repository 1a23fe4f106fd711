import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import { eventStoreOf } from '../../apps/api/src/app.factory.js';
import { createOpenApiDocument } from '../../apps/api/src/openapi/document.js';
import { createUser, loginAdmin, type Actor } from '../support/actors.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/*
 * Fuzzing every operation of the OpenAPI document (as the app builds it): valid-shaped requests from
 * each operation's parameters and body schema, with hostile values mixed in — boundary numbers, NUL,
 * lone surrogates, control and bidi characters, huge and deep JSON, wrong types, extra keys, every
 * role's token, a forged one and none. Fixed seed; FUZZ_RUNS requests per operation (default 20).
 * Asserts: no 5xx; every 4xx is problem+json with a code; the log's head does not move on a 4xx.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20241201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const METRICS_TOKEN = 'fuzz-scrape-secret-0123456789-0123456789';

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
} & Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};

interface FuzzRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: { raw: string } | { json: unknown };
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\u202e区局\u001b[31m',
  '\u2066',
  'line\nbreak',
  "' OR 1=1 --",
  '"; DROP TABLE es_events; --',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '\\u0000',
  '😀'.repeat(60),
  'a'.repeat(201),
  'a'.repeat(5001),
  '9223372036854775807',
  '-1',
  '1e400',
  'NaN',
  'true',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '2024-02-30',
  '9999-12-31T23:59:59.999Z',
  '<script>alert(1)</script>',
  '=HYPERLINK("x")',
];
const HOSTILE_NUMBERS = [
  -1,
  0,
  1,
  0.5,
  -0,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  Number('9223372036854775807'),
  1e308,
  -1e308,
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileNumber = fc.constantFrom(...HOSTILE_NUMBERS);
const wrongType = fc.constantFrom<unknown>(null, true, false, [], {}, [[]], { a: { b: {} } }, 0, 'x', [1, 2, 3]);

/** encodeURIComponent, but a lone surrogate (which it refuses) is sent as the invalid UTF-8 bytes ED A0 80. */
const encode = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .split(/([\ud800-\udfff])/)
      .map((part, i) => (i % 2 ? '%ED%A0%80' : encodeURIComponent(part)))
      .join('');
  }
};

const deep = (n: number, open = '{"a":', close = '}') => open.repeat(n) + '1' + close.repeat(n);

describe('fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  const tokens: Record<string, string> = {};
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN });
    document = createOpenApiDocument(t.app);
    const admin = await loginAdmin(t);
    const dept = (await admin.post('/api/departments', { name: '区教育局', kind: 'bureau' }).expect(201)).body;
    const departmentId: string = dept.departmentId ?? dept.id;
    const users: Record<string, Actor> = {
      admin,
      official: await createUser(t, admin, 'fuzz.official', 'official'),
      inspector: await createUser(t, admin, 'fuzz.inspector', 'inspector'),
      unit_liaison: await createUser(t, admin, 'fuzz.liaison', 'unit_liaison', departmentId),
      auditor: await createUser(t, admin, 'fuzz.auditor', 'auditor'),
    };
    for (const [role, a] of Object.entries(users)) tokens[role] = a.token;
    const { official, inspector } = users;
    const round = { title: '回头看', kind: 'special', scope: '食堂', startsOn: '2024-11-01', endsOn: '2024-11-30' };
    const roundId: string = (await official.post('/api/rounds', round).expect(201)).body.roundId;
    const fieldId: string = (await official.post(`/api/rounds/${roundId}/fields`, { name: '食品安全' }).expect(201))
      .body.fieldId;
    const targets = [{ kind: 'department', name: '区教育局', departmentId }];
    const point = await inspector
      .post(`/api/rounds/${roundId}/monitoring-points`, { fieldId, title: '台账', targets })
      .expect(201);
    expect((await official.post(`/api/rounds/${roundId}/station`, {})).status).toBeLessThan(300);
    const finding = {
      monitoringPointId: point.body.pointId,
      departmentId,
      title: '台账缺失',
      description: '未建立台账',
    };
    const findingId: string = (await inspector.post(`/api/rounds/${roundId}/findings`, finding).expect(201)).body
      .findingId;
    const lead = { source: 'petition', summary: '反映问题', subjects: [{ name: '王某' }] };
    const leadId: string = (await inspector.post(`/api/rounds/${roundId}/leads`, lead).expect(201)).body.leadId;
    ids.push(departmentId, roundId, fieldId, findingId, leadId, users.auditor.id);
  }, 120_000);
  afterAll(async () => t?.close());

  const resolve = (schema: Schema | undefined): Schema => {
    let s = schema ?? {};
    while (s.$ref) s = (document.components?.schemas as Record<string, Schema>)[s.$ref.split('/').pop()!] ?? {};
    return s;
  };

  /** A value that fits the schema (with `depth` levels of nesting left). */
  const valid = (schema: Schema, depth = 3): fc.Arbitrary<unknown> => {
    const s = resolve(schema);
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...ids), fc.uuid());
    if (s.format === 'date-time') return fc.constantFrom('2024-11-15T08:00:00.000Z', '2024-01-01T00:00:00Z');
    if (s.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return fc.constantFrom('2024-11-15', '2024-12-31');
    switch (s.type) {
      case 'integer': {
        const min = typeof s.minimum === 'number' ? s.minimum : 0;
        const max = typeof s.maximum === 'number' ? s.maximum : min + 1000;
        return fc.integer({ min, max });
      }
      case 'number':
        return fc.double({ noNaN: true, min: -1e6, max: 1e6 });
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const maxLength = Math.min(Number(s.maxItems ?? 3), 3);
        return fc.array(depth > 0 ? valid(s.items as Schema, depth - 1) : fc.constant(null), {
          minLength: Number(s.minItems ?? 0),
          maxLength,
        });
      }
      case 'object':
      case undefined:
        if (!s.properties || depth === 0) return fc.constant({});
        return fc.record(Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, valid(v, depth - 1)])), {
          requiredKeys: ((s.required as string[]) ?? []).filter((k) => k in s.properties!),
        });
      default:
        return fc.string({ minLength: 1, maxLength: 20 });
    }
  };

  /** Mostly valid, sometimes hostile: a boundary number, a bad string, a wrong type. */
  const value = (schema: Schema, depth = 3): fc.Arbitrary<unknown> => {
    const s = resolve(schema);
    if ((s.type === 'object' || s.properties) && depth > 0 && s.properties) {
      const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, value(v, depth - 1)]));
      const record = fc.record(props, {
        requiredKeys: ((s.required as string[]) ?? []).filter((k) => k in s.properties!),
      });
      const extra = fc.dictionary(
        fc.constantFrom('extra', 'isAdmin', 'constructor', '\u0000', 'a\ud800'),
        value({}, 0),
        { maxKeys: 2 },
      );
      return fc.oneof(
        { weight: 6, arbitrary: record },
        { weight: 1, arbitrary: fc.tuple(record, extra).map(([r, e]) => ({ ...(r as object), ...e })) },
        { weight: 1, arbitrary: wrongType },
      );
    }
    if (s.type === 'array' && depth > 0) {
      return fc.oneof(
        { weight: 5, arbitrary: fc.array(value(s.items as Schema, depth - 1), { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.array(valid(s.items as Schema, 0), { minLength: 51, maxLength: 60 }) },
        { weight: 1, arbitrary: wrongType },
      );
    }
    return fc.oneof({ weight: 4, arbitrary: valid(s, depth) }, hostileString, hostileNumber, wrongType);
  };

  /** A query or path parameter as text. */
  const text = (schema: Schema | undefined): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 3, arbitrary: valid(schema ?? {}).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: hostileNumber.map(String) },
    );

  const rawBodies = fc.constantFrom(
    deep(5000),
    deep(60_000, '[', ']'),
    `[${'0,'.repeat(60_000)}0]`,
    JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '{"name": "unterminated',
    'null',
    '[]',
    '"\\ud800"',
    '{"name":"\\u0000"}',
  );

  /** Bodies sent where none is expected: the oversized one is left out (fastify answers 413 before reading it). */
  const smallRawBodies = fc.constantFrom(
    deep(5000),
    '{"__proto__":{"isAdmin":true}}',
    '{"name": "unterminated',
    '"\\ud800"',
  );

  /** Mostly a real role's token (to get past the guard), sometimes none, a forged, a malformed one or the scrape secret. */
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('admin', 'official', 'inspector', 'unit_liaison', 'auditor') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'forged', 'garbage', 'metrics') },
  );
  const authorization = (who: string): Record<string, string> => {
    if (who === 'none') return {};
    if (who === 'garbage') return { authorization: 'Bearer \u00ff' };
    if (who === 'metrics') return { authorization: `Bearer ${METRICS_TOKEN}` };
    if (who === 'forged') {
      const [, payload] = tokens.admin.split('.');
      return { authorization: `Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.${payload}.` };
    }
    return { authorization: `Bearer ${tokens[who]}` };
  };

  function requestsFor(method: string, path: string, op: Operation): fc.Arbitrary<FuzzRequest> {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const pathValues = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, text(p.schema)])));
    const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, text(p.schema)])), { requiredKeys: [] });
    const ifMatch = fc.option(
      fc.constantFrom('"1"', '"0"', '"999999999999999"', '"9999999999999999"', 'W/"2"', '*', '"-1"', 'abc'),
      { nil: undefined },
    );
    const body = bodySchema
      ? fc.oneof(
          { weight: 5, arbitrary: value(bodySchema).map((json) => ({ json })) },
          { weight: 1, arbitrary: rawBodies.map((raw) => ({ raw })) },
        )
      : fc.option(
          smallRawBodies.map((raw) => ({ raw })),
          { nil: undefined, freq: 4 },
        );
    return fc
      .record({ pathValues, query, ifMatch, body, who: token })
      .map(({ pathValues: pv, query: q, ifMatch: im, body: b, who }) => ({
        method,
        path: path.replace(/\{(\w+)\}/g, (_m, name: string) => encode(String(pv[name]))),
        query: q as Record<string, string>,
        headers: { ...authorization(who), ...(im ? { 'if-match': im } : {}) },
        body: b,
      }));
  }

  it('answers no 5xx, a problem with a code for every 4xx, and writes nothing on a 4xx', async () => {
    const store = eventStoreOf(t.app);
    const operations: Array<[string, string, Operation]> = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
        if (path.startsWith('/api/docs')) continue;
        operations.push([method, path, op]);
      }
    }
    let sent = 0;
    const covered = new Set<string>();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (const [method, path, op] of operations) {
      const property = fc.asyncProperty(requestsFor(method, path, op), async (r) => {
        const before = await store.headPosition();
        const search = Object.entries(r.query)
          .map(([k, v]) => `${encode(k)}=${encode(v)}`)
          .join('&');
        let call = t.http[method as 'get'](search ? `${r.path}?${search}` : r.path).set(r.headers);
        if (r.body && 'raw' in r.body) call = call.set('content-type', 'application/json').send(r.body.raw);
        else if (r.body)
          call = call.set('content-type', 'application/json').send(JSON.stringify(r.body.json) ?? 'null');
        let res: Awaited<typeof call>;
        try {
          res = await call;
        } catch (error) {
          const big = r.body && 'raw' in r.body && r.body.raw.length > 256 * 1024;
          // A body over the limit is answered 413 and the connection closed while the client still writes.
          if (!big) failures.push(`no answer: ${r.method.toUpperCase()} ${r.path}: ${(error as Error).message}`);
          sent++;
          return true;
        }
        sent++;
        covered.add(op.operationId);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${r.method.toUpperCase()} ${r.path.slice(0, 160)} ${JSON.stringify(r.query).slice(0, 200)}`;
        if (res.status >= 500)
          failures.push(
            `${res.status} ${where} ${JSON.stringify(r.body ?? null).slice(0, 300)} → ${res.text.slice(0, 300)}`,
          );
        if (res.status >= 400 && res.status < 500) {
          const problem =
            /application\/problem\+json/.test(String(res.headers['content-type'])) &&
            typeof res.body?.code === 'string';
          if (!problem) failures.push(`not a problem: ${res.status} ${where} → ${res.text.slice(0, 200)}`);
          const after = await store.headPosition();
          if (after !== before) failures.push(`head moved ${before} → ${after} on ${res.status} ${where}`);
        }
        return true;
      });
      await fc.assert(property, { seed: SEED, numRuns: RUNS });
    }
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(
      `fuzz: ${sent} requests, ${covered.size}/${operations.length} operations, ${fivexx} 5xx, seed ${SEED}, ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}` +
        (failures.length ? `\n${failures.slice(0, 30).join('\n')}` : ''),
    );
    expect(covered.size).toBe(operations.length);
    expect(failures).toEqual([]);
  }, 600_000);
});
