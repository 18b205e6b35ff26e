import type { ServiceRef } from './settings.js';

/** A Kubernetes `metav1.Condition`, as controllers report them in status. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  generation?: number;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** `app-blue` or `app-blue:8080`, as users write a Service in the `slots` input. */
export function formatService(service: ServiceRef): string {
  return service.port === undefined ? service.name : `${service.name}:${service.port}`;
}
