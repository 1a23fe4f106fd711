import type { ReadModel } from '@app/projections';

/** The read models the projector maintains and their version (see libs/projections/src/read-models). */
export const READ_MODELS: readonly ReadModel[] = [];
export const READ_MODELS_VERSION = 0;
