import type { ArgumentMetadata } from '@nestjs/common';
import { FindingListDto } from '../dashboard/dto.js';
import { ProblemException } from './problem.js';
import { QUERY_ANSWERS, validationPipe } from './validation.js';

const asQuery = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });
const ROUND = '0b8f2f5e-4b7a-4c1e-9d3a-2f6e1c0a9b7d';

describe('the validation pipe on queries', () => {
  it('answers a query seen before with an equal DTO of its own, which a handler may not change for the next', async () => {
    const pipe = validationPipe();
    const query = { roundId: ROUND, overdue: 'true', page: '2', greenDays: '10', q: '台账' };
    const first = (await pipe.transform({ ...query }, asQuery(FindingListDto))) as FindingListDto;
    const second = (await pipe.transform({ ...query }, asQuery(FindingListDto))) as FindingListDto;
    expect(first).toBeInstanceOf(FindingListDto);
    expect(second).toBeInstanceOf(FindingListDto);
    expect(second).not.toBe(first);
    expect({ ...second }).toEqual({ ...first });
    expect(first).toMatchObject({ roundId: ROUND, overdue: true, page: 2, greenDays: 10, q: '台账' });
    // A handler that changes its copy changes only its own.
    first.page = 99;
    const third = (await pipe.transform({ ...query }, asQuery(FindingListDto))) as FindingListDto;
    expect(third.page).toBe(2);
  });

  it('refuses a bad query every time, naming the field and the rule, and keeps nothing of it', async () => {
    const pipe = validationPipe();
    for (let i = 0; i < 3; i++) {
      const refused = await pipe
        .transform({ roundId: 'not-a-uuid', extra: 'x' }, asQuery(FindingListDto))
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProblemException);
      expect((refused as ProblemException).errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'roundId', rule: 'isUuid' }),
          expect.objectContaining({ field: 'extra', rule: 'unknown_field' }),
        ]),
      );
    }
    // Still refused, and a good query of the same DTO still passes after them.
    await expect(pipe.transform({ page: '1' }, asQuery(FindingListDto))).resolves.toMatchObject({ page: 1 });
  });

  it('tells queries apart by every value and by the DTO, and keeps at most QUERY_ANSWERS of them', async () => {
    const pipe = validationPipe();
    class OtherDto {}
    const a = (await pipe.transform({ page: '1' }, asQuery(FindingListDto))) as FindingListDto;
    const b = (await pipe.transform({ page: '3' }, asQuery(FindingListDto))) as FindingListDto;
    expect([a.page, b.page]).toEqual([1, 3]);
    // The same text for another DTO is validated against that DTO (which accepts no fields).
    await expect(pipe.transform({ page: '1' }, asQuery(OtherDto))).rejects.toBeInstanceOf(ProblemException);
    for (let page = 1; page <= QUERY_ANSWERS + 10; page++) {
      const dto = (await pipe.transform({ page: String(page) }, asQuery(FindingListDto))) as FindingListDto;
      expect(dto.page).toBe(page);
    }
    const kept = (pipe as unknown as { queries: Map<unknown, Map<string, object>> }).queries.get(FindingListDto)!;
    expect(kept.size).toBe(QUERY_ANSWERS);
    expect(kept.has(JSON.stringify({ page: '1' }))).toBe(false);
    expect(Object.isFrozen(kept.get(JSON.stringify({ page: String(QUERY_ANSWERS + 10) })))).toBe(true);
  });

  it('still refuses NUL in a query before anything is kept', async () => {
    const pipe = validationPipe();
    await expect(pipe.transform({ q: 'a\u0000b' }, asQuery(FindingListDto))).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'q', rule: 'noNul' })],
    });
  });
});
