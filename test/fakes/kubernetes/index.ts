export { kubeconfigFor, writeKubeconfig } from './kubeconfig.js';
export { applyJsonPatch, applyMergePatch, PatchError } from './patch.js';
export { FakeKubernetes, type FakeKubernetesOptions, type RecordedRequest } from './server.js';
