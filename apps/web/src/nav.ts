import type { Role } from './domain';
import type { User } from './types';

/*
 * What each role is offered, following what the API lets it read (docs/api.md, "Sign-in and roles"): a unit
 * liaison gets their own department and its rectifications, never the overview of the round or
 * other departments; inspectors the findings; admins no case data at all.
 */
export interface NavItem {
  to: string;
  label: string;
  roles: readonly Role[];
}

export const NAV: readonly NavItem[] = [
  { to: '/overview', label: '总览', roles: ['official', 'auditor'] },
  { to: '/workspace', label: '工作台', roles: ['inspector'] },
  { to: '/rounds', label: '巡察轮次', roles: ['official'] },
  { to: '/unit', label: '本单位整改', roles: ['unit_liaison'] },
  { to: '/findings', label: '问题清单', roles: ['official', 'auditor', 'inspector', 'unit_liaison'] },
  // API: official and auditor (names redacted for the auditor).
  { to: '/leads', label: '问题线索', roles: ['official', 'auditor'] },
  // 红牌清单: API official and auditor.
  { to: '/red-list', label: '红牌清单', roles: ['official', 'auditor'] },
  { to: '/users', label: '用户管理', roles: ['admin'] },
];

export const canSee = (user: User | null, path: string) =>
  !!user && NAV.some((n) => path.startsWith(n.to) && n.roles.includes(user.role));

export function homeOf(user: User): string {
  return NAV.find((n) => n.roles.includes(user.role))?.to ?? '/no-access';
}
