import type { Provider } from '@nestjs/common';
import type { AppConfig } from '@app/database';
import type { EventStore } from '@app/event-store';
import { evidenceDirOf } from '../backup/backup.js';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';
import { CitationIndex } from './evidence-citations.js';
import { EvidenceStore } from './evidence-store.js';

/** The evidence folder (`EVIDENCE_DIR`, else `DATA_DIR/evidence`) and the index of who cites which file. */
export const evidenceProviders: Provider[] = [
  {
    provide: EvidenceStore,
    inject: [APP_CONFIG],
    useFactory: (c: AppConfig) => new EvidenceStore(evidenceDirOf(c.dataDir)),
  },
  { provide: CitationIndex, inject: [EVENT_STORE], useFactory: (store: EventStore) => new CitationIndex(store) },
];
