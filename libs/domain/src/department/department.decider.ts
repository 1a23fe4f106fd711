import { assertNever } from '../common/assert-never.js';
import type { Decider } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
import { optionalText, requireOneOf, requireText, toInstant } from '../common/values.js';
import {
  DEPARTMENT_KINDS,
  type DepartmentCommand,
  type DepartmentEvent,
  type DepartmentState,
  type RegisterDepartment,
  type RenameDepartment,
} from './department.types.js';

export const departmentStream = (departmentId: string): string => `department-${departmentId}`;

export const initialDepartmentState = (): DepartmentState => ({ status: 'absent' });

function registerDepartment(command: RegisterDepartment, state: DepartmentState): DepartmentEvent[] {
  if (state.status !== 'absent')
    throw new DomainError('DEPARTMENT_ALREADY_REGISTERED', 'department already registered');
  const { data } = command;
  const parent = optionalText('parentId', data.parentId);
  if (parent.parentId === data.departmentId) {
    throw new DomainError('DEPARTMENT_CANNOT_BE_OWN_PARENT', 'a department cannot be its own parent', 'parentId');
  }
  return [
    {
      type: 'DepartmentRegistered',
      data: {
        departmentId: data.departmentId,
        name: requireText(data.name, 'name'),
        kind: requireOneOf(data.kind, DEPARTMENT_KINDS, 'kind'),
        ...parent,
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function renameDepartment(command: RenameDepartment, state: DepartmentState): DepartmentEvent[] {
  if (state.status === 'absent')
    throw new DomainError('DEPARTMENT_NOT_REGISTERED', 'no department is registered under this id');
  const name = requireText(command.data.name, 'name');
  if (name === state.name)
    throw new DomainError('DEPARTMENT_NAME_UNCHANGED', `the department is already called ${name}`, 'name');
  return [
    {
      type: 'DepartmentRenamed',
      data: {
        departmentId: state.departmentId,
        name,
        previousName: state.name,
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

export function decideDepartment(command: DepartmentCommand, state: DepartmentState): DepartmentEvent[] {
  switch (command.type) {
    case 'RegisterDepartment':
      return registerDepartment(command, state);
    case 'RenameDepartment':
      return renameDepartment(command, state);
    default:
      return assertNever(command, 'department command');
  }
}

export function evolveDepartment(state: DepartmentState, event: DepartmentEvent): DepartmentState {
  switch (event.type) {
    case 'DepartmentRegistered': {
      const { occurredAt, ...department } = event.data;
      return { ...department, status: 'registered', registeredAt: occurredAt };
    }
    case 'DepartmentRenamed':
      return state.status === 'absent' ? state : { ...state, name: event.data.name };
    default:
      return assertNever(event, 'department event');
  }
}

export const departmentDecider: Decider<DepartmentState, DepartmentCommand, DepartmentEvent> = {
  decide: decideDepartment,
  evolve: evolveDepartment,
  initialState: initialDepartmentState,
};
