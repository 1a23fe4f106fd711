import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMAIN_ERROR_CODES, DomainError, type DomainErrorCode } from '@app/domain';
import { APPLICATION_ERROR_CODES, ApplicationError } from '../application/errors.js';
import { HTTP_STATUS_OF, RAISED_ERROR_CODES, httpStatusOf } from './error-status.js';
import { ProblemFilter } from './problem.filter.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the code → HTTP status table', () => {
  it('has a status for every code the domain and the application can raise', () => {
    const missing = RAISED_ERROR_CODES.filter((code) => !(code in HTTP_STATUS_OF));
    expect(missing).toEqual([]);
    expect(RAISED_ERROR_CODES.length).toBe(Object.keys(DOMAIN_ERROR_CODES).length + APPLICATION_ERROR_CODES.length);
  });

  it("agrees with each domain code's kind", () => {
    const expected = { not_found: 404, invalid: 400, conflict: 409 } as const;
    for (const [code, kind] of Object.entries(DOMAIN_ERROR_CODES)) {
      expect([code, HTTP_STATUS_OF[code as DomainErrorCode]]).toEqual([code, expected[kind]]);
    }
  });

  it('is what the problem filter answers, for domain and application errors alike', () => {
    const filter = new ProblemFilter();
    for (const code of APPLICATION_ERROR_CODES) {
      expect(filter.toProblem(new ApplicationError(code, 'x'))).toMatchObject({ code, status: HTTP_STATUS_OF[code] });
    }
    for (const code of Object.keys(DOMAIN_ERROR_CODES) as DomainErrorCode[]) {
      expect(filter.toProblem(new DomainError(code, 'x'))).toMatchObject({ code, status: HTTP_STATUS_OF[code] });
    }
  });

  it('DEPARTMENT_NOT_FOUND (a referenced department) is 400 and the addressed one unknown is 404', () => {
    expect(httpStatusOf('DEPARTMENT_NOT_FOUND')).toBe(400);
    expect(httpStatusOf('DEPARTMENT_NOT_REGISTERED')).toBe(404);
  });

  it('every code raised in the sources is in the table, and an edge ProblemException uses its status', () => {
    const raised = new Set<string>();
    const mismatches: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new ApplicationError\(\s*'([A-Z_]+)'/g)) raised.add(m[1]);
      for (const m of text.matchAll(/new ProblemException\(\s*(\d{3}),\s*'([A-Z_]+)'/g)) {
        raised.add(m[2]);
        if (httpStatusOf(m[2]) !== Number(m[1])) mismatches.push(`${file}: ${m[2]} as ${m[1]}`);
      }
    }
    expect(raised.size).toBeGreaterThan(10);
    expect([...raised].filter((code) => !(code in HTTP_STATUS_OF))).toEqual([]);
    expect(mismatches).toEqual([]);
  });

  it('no HTTP status or fastify reply outside controllers, guards, interceptors and http/', () => {
    // The HTTP edge: controllers (metrics.ts holds one), guards, interceptors, decorators, http/.
    const edge = [
      /(\.controller|\.interceptor|\.guard|\.decorator|decorators|http-helpers|metrics)\.ts$/,
      /\/(http|openapi|cli)\//,
      /(main|app\.factory)\.ts$/,
    ];
    const offenders = sources(SRC)
      .filter((file) => !edge.some((e) => e.test(file)))
      .filter((file) => /FastifyReply|ProblemException|from 'fastify'/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
