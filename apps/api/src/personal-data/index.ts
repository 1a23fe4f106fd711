import type { EntityClass, MigrationClass } from '../infrastructure/typeorm.options.js';
import { personalDataEntityClasses } from './personal-data.entities.js';
import { CreatePersonalData1732800001000 } from './migrations/1732800001000-create-personal-data.js';
import { MorePersonalDataKinds1732800003000 } from './migrations/1732800003000-more-personal-data-kinds.js';
import { FollowUpVisitee1732800004100 } from './migrations/1732800004100-follow-up-visitee.js';

export const personalDataEntities: EntityClass[] = [...personalDataEntityClasses];
export const personalDataMigrations: MigrationClass[] = [
  CreatePersonalData1732800001000,
  MorePersonalDataKinds1732800003000,
  FollowUpVisitee1732800004100,
];

export { PersonalDataModule } from './personal-data.module.js';
export {
  ERASERS,
  NAME_READERS,
  PersonalDataService,
  REDACTED,
  type ErasureResult,
  type PersonalDataRead,
  type PersonalValue,
  type ProtectEntry,
  type RevealContext,
  type RevealedValue,
} from './personal-data.service.js';
export { PERSONAL_DATA_KINDS, type PersonalDataKind, type ReadOutcome } from './personal-data.entities.js';
