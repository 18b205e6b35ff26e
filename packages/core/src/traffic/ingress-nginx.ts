import type { NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import {
  apiMessage,
  apiStatus,
  guardedUpdate,
  type KubeConfig,
  kubernetesClient,
} from '../kubernetes/config.js';
import { formatService } from './kubernetes-shared.js';
import {
  formatWeights,
  type Router,
  RouterError,
  type SlotName,
  sameWeights,
  type Weights,
} from './router.js';
import type { ServiceRef } from './settings.js';
import { weightsProblem } from './weights.js';

const CANARY = 'nginx.ingress.kubernetes.io/canary';
const CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
const CANARY_WEIGHT_TOTAL = 'nginx.ingress.kubernetes.io/canary-weight-total';

export interface IngressNginxRouterOptions {
  namespace: string;
  /** The canary Ingress's name. */
  route: string;
  slots: ReadonlyMap<SlotName, ServiceRef>;
  log?: (line: string) => void;
}

/**
 * Splits traffic with ingress-nginx's canary Ingress. ingress-nginx pairs two
 * Ingresses for the same host and path: the main one, and a canary one
 * carrying `nginx.ingress.kubernetes.io/canary: "true"` and
 * `canary-weight: "N"`, which receives N% of the requests.
 *
 * How the slots map: the canary Ingress (the `route` input) routes to one
 * slot's Service, and that slot's weight IS the canary weight; the main
 * Ingress for the same host routes to the other slot and gets the rest. The
 * Ingresses are never re-pointed, because with two slots any split is
 * expressed by the canary weight alone: 100 sends everything to the canary
 * slot, 0 everything to the main one. Only the canary Ingress's annotations
 * are written; the main Ingress is read to check that it routes to the other
 * slot, so a mismatch is reported instead of shifting the wrong service.
 */
export class IngressNginxRouter implements Router {
  readonly kind = 'ingress-nginx' as const;
  readonly #api: NetworkingV1Api;
  readonly #options: IngressNginxRouterOptions;

  private constructor(api: NetworkingV1Api, options: IngressNginxRouterOptions) {
    this.#api = api;
    this.#options = options;
  }

  static async connect(
    kubeConfig: KubeConfig,
    options: IngressNginxRouterOptions,
  ): Promise<IngressNginxRouter> {
    const k8s = await kubernetesClient();
    return new IngressNginxRouter(kubeConfig.makeApiClient(k8s.NetworkingV1Api), options);
  }

  describe(): string {
    return `canary Ingress ${this.#options.namespace}/${this.#options.route} (ingress-nginx)`;
  }

  async read(): Promise<Weights> {
    const canary = await this.#get();
    const { canarySlot, stableSlot } = this.#slotsOf(canary);
    await this.#checkMainIngress(canary, stableSlot);
    const annotations = canary.metadata?.annotations ?? {};
    let share = 0;
    if (annotations[CANARY] === 'true') {
      const weight = Number(annotations[CANARY_WEIGHT] ?? '0');
      const total = Number(annotations[CANARY_WEIGHT_TOTAL] ?? '100');
      if (!Number.isFinite(weight) || !Number.isFinite(total) || total <= 0 || weight < 0 || weight > total)
        throw new RouterError(
          `${this.describe()}: unreadable canary weight ${JSON.stringify(annotations[CANARY_WEIGHT])} of ${JSON.stringify(annotations[CANARY_WEIGHT_TOTAL] ?? '100')}`,
        );
      share = Math.round((weight * 100) / total);
    }
    return { [stableSlot]: 100 - share, [canarySlot]: share };
  }

  async set(weights: Weights, signal?: AbortSignal): Promise<void> {
    const problem = weightsProblem(weights, [...this.#options.slots.keys()]);
    if (problem)
      throw new RouterError(`${this.describe()}: cannot set ${formatWeights(weights)}: expected ${problem}`);
    signal?.throwIfAborted();
    let checked = false;
    try {
      const result = await guardedUpdate<V1Ingress>({
        read: () => this.#get(),
        change: (ingress) => {
          const { canarySlot } = this.#slotsOf(ingress);
          const annotations = { ...(ingress.metadata?.annotations ?? {}) };
          const wanted = String(weights[canarySlot]);
          if (
            annotations[CANARY] === 'true' &&
            annotations[CANARY_WEIGHT] === wanted &&
            (annotations[CANARY_WEIGHT_TOTAL] ?? '100') === '100'
          )
            return undefined;
          annotations[CANARY] = 'true';
          annotations[CANARY_WEIGHT] = wanted;
          // The weights are percents; a total other than 100 would rescale them.
          if (annotations[CANARY_WEIGHT_TOTAL] !== undefined) annotations[CANARY_WEIGHT_TOTAL] = '100';
          return { ...ingress, metadata: { ...ingress.metadata, annotations }, status: undefined };
        },
        write: async (ingress) => {
          if (!checked) {
            await this.#checkMainIngress(ingress, this.#slotsOf(ingress).stableSlot);
            checked = true;
          }
          return this.#api.replaceNamespacedIngress({
            name: this.#options.route,
            namespace: this.#options.namespace,
            body: ingress,
          });
        },
        onConflict: (attempt) =>
          this.#options.log?.(
            `${this.describe()} changed while being updated (conflict ${attempt}); reading it again`,
          ),
      });
      this.#options.log?.(
        `${this.describe()}: ${formatWeights(weights)} ${result.written ? 'written' : 'already in place'}`,
      );
    } catch (error) {
      if (error instanceof RouterError) throw error;
      throw new RouterError(`${this.describe()}: cannot update the Ingress: ${apiMessage(error)}`, {
        cause: error,
      });
    }
  }

  async verify(weights: Weights): Promise<void> {
    const actual = await this.read();
    if (!sameWeights(actual, weights))
      throw new RouterError(
        `${this.describe()} holds ${formatWeights(actual)}, not ${formatWeights(weights)}`,
      );
  }

  async #get(): Promise<V1Ingress> {
    try {
      return await this.#api.readNamespacedIngress({
        name: this.#options.route,
        namespace: this.#options.namespace,
      });
    } catch (error) {
      const what = apiStatus(error) === 404 ? 'does not exist' : `cannot be read: ${apiMessage(error)}`;
      throw new RouterError(`${this.describe()} ${what}`, { cause: error });
    }
  }

  /** The Services an Ingress routes to, from its rules and its default backend. */
  #servicesOf(ingress: V1Ingress): Array<{ name: string; port?: number }> {
    const backends = [
      ingress.spec?.defaultBackend,
      ...(ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((p) => p.backend)),
    ];
    return backends.flatMap((b) =>
      b?.service ? [{ name: b.service.name, port: b.service.port?.number }] : [],
    );
  }

  #slotOfServices(services: Array<{ name: string; port?: number }>): SlotName | undefined {
    const slots = new Set<SlotName>();
    for (const found of services)
      for (const [slot, service] of this.#options.slots)
        if (found.name === service.name && (service.port === undefined || found.port === service.port))
          slots.add(slot);
    return slots.size === 1 ? [...slots][0] : undefined;
  }

  #slotsOf(canary: V1Ingress): { canarySlot: SlotName; stableSlot: SlotName } {
    const services = this.#servicesOf(canary);
    const canarySlot = this.#slotOfServices(services);
    if (canarySlot === undefined)
      throw new RouterError(
        `${this.describe()} must route to exactly one slot's Service (${[...this.#options.slots.values()].map(formatService).join(' or ')}); it routes to ${services.map(formatService).join(', ') || 'nothing'}`,
      );
    const stableSlot = [...this.#options.slots.keys()].find((s) => s !== canarySlot)!;
    return { canarySlot, stableSlot };
  }

  /** The main Ingress is the one ingress-nginx pairs with the canary: same host, not itself a canary. */
  async #checkMainIngress(canary: V1Ingress, stableSlot: SlotName): Promise<void> {
    let items: V1Ingress[];
    try {
      items = (await this.#api.listNamespacedIngress({ namespace: this.#options.namespace })).items;
    } catch (error) {
      throw new RouterError(`${this.describe()}: cannot list the Ingresses: ${apiMessage(error)}`, {
        cause: error,
      });
    }
    const hosts = new Set((canary.spec?.rules ?? []).map((r) => r.host ?? ''));
    const main = items.filter(
      (ingress) =>
        ingress.metadata?.name !== this.#options.route &&
        ingress.metadata?.annotations?.[CANARY] !== 'true' &&
        (ingress.spec?.rules ?? []).some((r) => hosts.has(r.host ?? '')),
    );
    const stable = this.#options.slots.get(stableSlot)!;
    if (main.length === 0)
      throw new RouterError(
        `${this.describe()}: no main (non-canary) Ingress for host ${[...hosts].map((h) => h || '*').join(', ')} in namespace ${this.#options.namespace}; ingress-nginx needs one routing to ${formatService(stable)} (slot "${stableSlot}")`,
      );
    for (const ingress of main) {
      if (this.#slotOfServices(this.#servicesOf(ingress)) !== stableSlot)
        throw new RouterError(
          `${this.describe()}: the main Ingress ${ingress.metadata?.name} must route to ${formatService(stable)} (slot "${stableSlot}"), the slot the canary does not route to`,
        );
    }
  }
}
