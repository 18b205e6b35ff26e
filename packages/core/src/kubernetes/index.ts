export {
  apiMessage,
  apiStatus,
  type GuardedUpdate,
  guardedUpdate,
  type KubeConfig,
  type KubeconfigSource,
  kubernetesClient,
  loadKubeConfig,
} from './config.js';
export {
  DeployError,
  type DeployResult,
  type DeployToSlotOptions,
  deployToSlot,
  type RolloutProgress,
  rolloutWaitingFor,
} from './deployer.js';
