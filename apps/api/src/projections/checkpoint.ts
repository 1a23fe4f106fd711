import type { ReadModelCheckpoint } from './projection-status.service.js';

/** Where ReadYourWritesInterceptor leaves the checkpoint it answered in X-Projection-Position, for the handler. */
export const CHECKPOINT = Symbol('read-model checkpoint');

/** The checkpoint a read-model request was answered at (set by ReadYourWritesInterceptor), if any. */
export const checkpointOf = (request: unknown): ReadModelCheckpoint | undefined =>
  (request as { [CHECKPOINT]?: ReadModelCheckpoint })[CHECKPOINT];
