export { READ_MODEL_SCHEMA, type ReadModel } from './read-model.js';
