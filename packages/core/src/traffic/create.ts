import type { KubeConfig } from '../kubernetes/config.js';
import { HaproxyRouter } from './haproxy.js';
import { NginxRouter } from './nginx.js';
import { NginxDynamicRouter } from './nginx-dynamic.js';
import type { Router } from './router.js';
import type { RouterSettings } from './settings.js';

export interface CreateRouterOptions {
  log?: (line: string) => void;
  /** gateway-api: how long to wait for the Gateway controller to accept a change (default 60 s). */
  acceptTimeoutMs?: number;
  /** Kubernetes routers: a connection already loaded, instead of the one `settings.kubeconfig` describes. */
  kubeConfig?: KubeConfig;
}

/**
 * The router the settings describe. The Kubernetes client is imported only
 * for the Kubernetes routers, so an nginx or HAProxy shift never loads it.
 */
export async function createRouter(
  settings: RouterSettings,
  options: CreateRouterOptions = {},
): Promise<Router> {
  const log = options.log;
  switch (settings.router) {
    case 'nginx':
      if (settings.mode === 'dynamic')
        return new NginxDynamicRouter({
          control: settings.control,
          route: settings.upstream,
          slots: settings.slots,
          log,
        });
      return new NginxRouter({
        upstreamFile: settings.upstreamFile,
        upstream: settings.upstream,
        slots: settings.slots,
        testCommand: settings.testCommand,
        reloadCommand: settings.reloadCommand,
        commandTimeoutMs: settings.commandTimeoutMs,
        log,
      });
    case 'haproxy':
      return new HaproxyRouter({
        socket: settings.socket,
        backend: settings.backend,
        slots: settings.slots,
        log,
      });
    case 'gateway-api': {
      const [{ GatewayApiRouter }, kubeConfig] = await Promise.all([
        import('./gateway-api.js'),
        options.kubeConfig ??
          import('../kubernetes/config.js').then((m) => m.loadKubeConfig(settings.kubeconfig)),
      ]);
      return GatewayApiRouter.connect(kubeConfig, {
        namespace: settings.namespace,
        route: settings.route,
        slots: settings.slots,
        acceptTimeoutMs: options.acceptTimeoutMs,
        log,
      });
    }
    case 'ingress-nginx': {
      const [{ IngressNginxRouter }, kubeConfig] = await Promise.all([
        import('./ingress-nginx.js'),
        options.kubeConfig ??
          import('../kubernetes/config.js').then((m) => m.loadKubeConfig(settings.kubeconfig)),
      ]);
      return IngressNginxRouter.connect(kubeConfig, {
        namespace: settings.namespace,
        route: settings.route,
        slots: settings.slots,
        log,
      });
    }
  }
}
