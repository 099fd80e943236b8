export type { ArmContainerGroupsOptions } from './arm-container-groups.js';
export { ArmContainerGroups } from './arm-container-groups.js';
export type {
  ContainerGroupSpec,
  ContainerGroupState,
  ContainerGroups,
  ListedContainerGroup,
} from './container-group.js';
export { ContainerGroupError, RUN_CONTAINER_NAME } from './container-group.js';
export { createContainerGroups } from './create-container-groups.js';
