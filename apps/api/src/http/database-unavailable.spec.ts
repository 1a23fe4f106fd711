import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { ProblemFilter } from './problem.filter.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('an unreachable database', () => {
  it.each([
    ['08006 connection failure', pgError('08006')],
    ['08001 cannot establish', pgError('08001')],
    ['57P01 admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash shutdown', pgError('57P02')],
    ['57P03 starting up', pgError('57P03', 'the database system is starting up')],
    ['53300 too many connections', pgError('53300', 'sorry, too many clients already')],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'a refused connect to several addresses',
      new AggregateError([Object.assign(new Error(), { code: 'ECONNREFUSED' })]),
    ],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg pool: connect timeout', new Error('timeout exceeded when trying to connect')],
    ['TypeORM wrapping 57P01', new QueryFailedError('SELECT 1', [], pgError('57P01'))],
  ])('%s answers 503 DATABASE_UNAVAILABLE', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    const body = new ProblemFilter().toProblem(error);
    expect(body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) });
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a syntax error', pgError('42601')],
    ['a serialization failure', pgError('40001')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'oops'],
  ])('%s is not an outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
