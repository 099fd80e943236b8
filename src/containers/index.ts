export type {
  ContainerGroupSpec,
  ContainerGroupState,
  ContainerGroups,
  ListedContainerGroup,
} from './container-group.js';
export { ContainerGroupError, RUN_CONTAINER_NAME } from './container-group.js';
