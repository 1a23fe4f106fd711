export const ROLES = ['inspector', 'official', 'unit_liaison', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
