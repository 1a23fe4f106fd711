import { DeciderSpecification } from '../testing/decider-spec.js';
import { departmentDecider, departmentStream } from './department.decider.js';
import type { DepartmentCommand, DepartmentEvent } from './department.types.js';

const now = '2024-08-20T01:00:00.000Z';
const metadata = { now };
const spec = DeciderSpecification.for(departmentDecider);

const registered: DepartmentEvent = {
  type: 'DepartmentRegistered',
  data: { departmentId: 'd-jd1', name: '城关街道办事处', kind: 'subdistrict', parentId: 'd-qu', occurredAt: now },
};
const register = (overrides: Record<string, unknown> = {}) =>
  ({
    type: 'RegisterDepartment',
    data: { departmentId: 'd-jd1', name: '城关街道办事处', kind: 'subdistrict', parentId: 'd-qu', ...overrides },
    metadata,
  }) as DepartmentCommand;
const rename = (name: string): DepartmentCommand => ({
  type: 'RenameDepartment',
  data: { departmentId: 'd-jd1', name },
  metadata,
});

describe('Department decider', () => {
  it('names its stream department-{id}', () => {
    expect(departmentStream('d-jd1')).toBe('department-d-jd1');
  });

  it('registers a department under its parent', () => {
    const state = spec.given([]).when(register()).then([registered]);
    expect(state).toEqual({
      status: 'registered',
      departmentId: 'd-jd1',
      name: '城关街道办事处',
      kind: 'subdistrict',
      parentId: 'd-qu',
      registeredAt: now,
    });
  });

  it('registers a top-level department without a parent', () => {
    spec
      .given([])
      .when(register({ departmentId: 'd-mz', name: '区民政局', kind: 'bureau', parentId: undefined }))
      .then([
        {
          type: 'DepartmentRegistered',
          data: { departmentId: 'd-mz', name: '区民政局', kind: 'bureau', occurredAt: now },
        },
      ]);
  });

  it('rejects registering a department twice', () => {
    spec.given([registered]).when(register()).thenThrows('DEPARTMENT_ALREADY_REGISTERED', 'conflict');
  });

  it('rejects a department that is its own parent', () => {
    spec
      .given([])
      .when(register({ parentId: 'd-jd1' }))
      .thenThrows('DEPARTMENT_CANNOT_BE_OWN_PARENT', 'invalid');
  });

  it('rejects an unknown kind of department', () => {
    spec
      .given([])
      .when(register({ kind: 'ministry' }))
      .thenThrows('INVALID_VALUE', 'invalid');
  });

  it('rejects a department without a name', () => {
    spec
      .given([])
      .when(register({ name: '' }))
      .thenThrows('VALUE_REQUIRED', 'invalid');
  });

  it('renames a department, remembering the previous name in the event', () => {
    const state = spec
      .given([registered])
      .when(rename('城关街道'))
      .then([
        {
          type: 'DepartmentRenamed',
          data: { departmentId: 'd-jd1', name: '城关街道', previousName: '城关街道办事处', occurredAt: now },
        },
      ]);
    expect(state).toMatchObject({ name: '城关街道', kind: 'subdistrict' });
  });

  it('rejects renaming a department that does not exist', () => {
    spec.given([]).when(rename('x')).thenThrows('DEPARTMENT_NOT_REGISTERED', 'not_found');
  });

  it('rejects renaming to the same name', () => {
    spec.given([registered]).when(rename('城关街道办事处')).thenThrows('DEPARTMENT_NAME_UNCHANGED', 'conflict');
  });
});
