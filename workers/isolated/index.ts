export type { ContainerRunDependencies } from './container-run.js';
export { containerRunDependencies, executeContainerRun } from './container-run.js';
export { oneShotMain } from './one-shot-main.js';
