import { Inject, Injectable } from '@nestjs/common';
import { departmentStream } from '@app/domain';
import type { EventStore } from '@app/event-store';
import { ApplicationError } from '../../application/errors.js';
import { EVENT_STORE } from '../../infrastructure/tokens.js';

/**
 * Answers "does this department exist?" for rules that span streams. Departments are never
 * deleted, so a department once seen is remembered.
 */
@Injectable()
export class DepartmentDirectory {
  private readonly known = new Set<string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async exists(id: string): Promise<boolean> {
    if (this.known.has(id)) return true;
    const events = await this.store.readStream(departmentStream(id), { toRevision: 1 });
    if (events.length) this.known.add(id);
    return events.length > 0;
  }

  /** DEPARTMENT_NOT_FOUND naming each field whose id is not a registered department. */
  async requireAll(ids: Array<[field: string, id: string | undefined]>): Promise<void> {
    const missing: [string, string][] = [];
    for (const [field, id] of ids) if (id !== undefined && !(await this.exists(id))) missing.push([field, id]);
    if (missing.length) {
      throw new ApplicationError(
        'DEPARTMENT_NOT_FOUND',
        `No such department: ${missing.map(([, id]) => id).join(', ')}`,
        missing.map(([field, id]) => ({
          field,
          rule: 'exists',
          message: `${field} ${id} is not a registered department`,
        })),
      );
    }
  }
}
