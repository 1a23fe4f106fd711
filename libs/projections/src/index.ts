export { ALL_SCOPES, READ_MODEL_SCHEMA, roundScope, type ApplyContext, type ReadModel } from './read-model.js';
export {
  Projector,
  isTransient,
  type ProjectorOptions,
  type ProjectorStatus,
  type ProjectorLogger,
} from './projector/projector.js';
export { rebuildReadModels, type RebuildOptions, type RebuildResult } from './projector/rebuild.js';
export { readCheckpoint, createReadModelSchema, type CheckpointRow } from './projector/projector-schema.js';
export { readModels, READ_MODELS_VERSION, TABLES } from './read-models/index.js';
export * from './queries/index.js';
