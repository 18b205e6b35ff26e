export * from '../kubernetes/index.js';
export { type CreateRouterOptions, createRouter } from './create.js';
export { GatewayApiRouter, type GatewayApiRouterOptions } from './gateway-api.js';
export { HaproxyRouter, type HaproxyRouterOptions, parseServersState, type ServerState } from './haproxy.js';
export { parseShowStat, readHaproxyCounters, type ServerCounters } from './haproxy-stats.js';
export { IngressNginxRouter, type IngressNginxRouterOptions } from './ingress-nginx.js';
export { NginxRouter, type NginxRouterOptions } from './nginx.js';
export { AccessLogError, NGINX_LOG_FORMAT, NginxAccessLog, slotAddresses } from './nginx-access-log.js';
export {
  type ControlEndpoint,
  describeControlEndpoint,
  NGINX_LUA_MODULE_VERSION,
  NginxDynamicRouter,
  type NginxDynamicRouterOptions,
  parseControlEndpoint,
} from './nginx-dynamic.js';
export {
  parseUpstream,
  serverWeight,
  type UpstreamBlock,
  type UpstreamServer,
  UpstreamSyntaxError,
} from './nginx-upstream.js';
export { restoreLive, UnsettledTrafficError, verifyOrSet } from './restore.js';
export * from './router.js';
export {
  type HaproxySettings,
  type KubernetesSettings,
  type NginxDynamicSettings,
  type NginxReloadSettings,
  type NginxSettings,
  parseServiceRef,
  ROUTER_KINDS,
  type RouterInputs,
  type RouterSettings,
  routerFields,
  routerSettings,
  type ServiceRef,
} from './settings.js';
export { toPercents, weightsProblem } from './weights.js';
