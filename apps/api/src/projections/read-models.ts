import { readModels, READ_MODELS_VERSION as VERSION, type ReadModel } from '@app/projections';

/** The read models the projector maintains and their version (see libs/projections/src/read-models). */
export const READ_MODELS: readonly ReadModel[] = readModels;
export const READ_MODELS_VERSION = VERSION;
