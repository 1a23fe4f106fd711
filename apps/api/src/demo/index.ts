export { DemoModule } from './demo.module.js';
export {
  DEMO_ROUND_ID,
  DemoLoader,
  DemoRefusedError,
  demoDepartmentId,
  type DemoLoadOptions,
  type DemoSummary,
} from './demo.loader.js';
export { loadDemoIfEmpty, type DemoStartup } from './demo-startup.js';
export { demoBanner } from './banner.js';
export { DEMO_PASSWORD, DEMO_USERS } from './scenario.js';
