import type { Command, Event } from '../common/decider.js';

/** 局 / 街道 / 村社区 / 其他. */
export const DEPARTMENT_KINDS = ['bureau', 'subdistrict', 'community', 'other'] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

export type DepartmentRegistered = Event<
  'DepartmentRegistered',
  { departmentId: string; name: string; kind: DepartmentKind; parentId?: string; occurredAt: string }
>;
export type DepartmentRenamed = Event<
  'DepartmentRenamed',
  { departmentId: string; name: string; previousName: string; occurredAt: string }
>;
export type DepartmentEvent = DepartmentRegistered | DepartmentRenamed;

/** Whether `parentId` names a registered department is a cross-stream check for the handler. */
export type RegisterDepartment = Command<
  'RegisterDepartment',
  { departmentId: string; name: string; kind: DepartmentKind; parentId?: string }
>;
export type RenameDepartment = Command<'RenameDepartment', { departmentId: string; name: string }>;
export type DepartmentCommand = RegisterDepartment | RenameDepartment;

export type Department = {
  status: 'registered';
  departmentId: string;
  name: string;
  kind: DepartmentKind;
  parentId?: string;
  registeredAt: string;
};

export type DepartmentState = { status: 'absent' } | Department;
