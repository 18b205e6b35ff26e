import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  apiMessage,
  apiStatus,
  guardedUpdate,
  type KubeConfig,
  kubernetesClient,
} from '../kubernetes/config.js';
import { sleep } from '../retry.js';
import { type Condition, formatService, type ObjectMeta } from './kubernetes-shared.js';
import {
  formatWeights,
  type Router,
  RouterError,
  type SlotName,
  sameWeights,
  type Weights,
} from './router.js';
import type { ServiceRef } from './settings.js';
import { toPercents, weightsProblem } from './weights.js';

const GROUP = 'gateway.networking.k8s.io';
const VERSION = 'v1';
const PLURAL = 'httproutes';

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  [key: string]: unknown;
}

interface HttpRoute {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { rules?: Array<{ backendRefs?: BackendRef[]; [key: string]: unknown }>; [key: string]: unknown };
  status?: {
    parents?: Array<{ parentRef?: { name?: string }; controllerName?: string; conditions?: Condition[] }>;
  };
}

export interface GatewayApiRouterOptions {
  namespace: string;
  /** The HTTPRoute's name. */
  route: string;
  /** Slot → the Service its backendRefs name (with a port when the route distinguishes ports). */
  slots: ReadonlyMap<SlotName, ServiceRef>;
  /** How long to wait for the Gateway controller to accept the changed route. */
  acceptTimeoutMs?: number;
  pollMs?: number;
  log?: (line: string) => void;
}

/**
 * Splits traffic with the backendRef weights of a Gateway API `HTTPRoute`.
 * Every rule of the route that sends traffic to a slot's Service gets the new
 * weights; a rule that names only one slot gets a backendRef for the other
 * (weight 0 when it takes nothing). Writes carry the resourceVersion that was
 * read, so a change made by someone else in between is never overwritten: the
 * write is retried on the fresh object. Where the Gateway controller reports
 * status, `set` returns only once it has accepted the new generation.
 */
export class GatewayApiRouter implements Router {
  readonly kind = 'gateway-api' as const;
  readonly #api: CustomObjectsApi;
  readonly #options: GatewayApiRouterOptions;

  private constructor(api: CustomObjectsApi, options: GatewayApiRouterOptions) {
    this.#api = api;
    this.#options = options;
  }

  static async connect(kubeConfig: KubeConfig, options: GatewayApiRouterOptions): Promise<GatewayApiRouter> {
    const k8s = await kubernetesClient();
    return new GatewayApiRouter(kubeConfig.makeApiClient(k8s.CustomObjectsApi), options);
  }

  describe(): string {
    return `HTTPRoute ${this.#options.namespace}/${this.#options.route}`;
  }

  async read(): Promise<Weights> {
    return this.#weightsIn(await this.#get());
  }

  async set(weights: Weights, signal?: AbortSignal): Promise<void> {
    const problem = weightsProblem(weights, [...this.#options.slots.keys()]);
    if (problem)
      throw new RouterError(`${this.describe()}: cannot set ${formatWeights(weights)}: expected ${problem}`);
    signal?.throwIfAborted();
    let result: { object: HttpRoute; written: boolean };
    try {
      result = await guardedUpdate<HttpRoute>({
        read: () => this.#get(),
        change: (route) => this.#withWeights(route, weights),
        write: async (route) =>
          (await this.#api.replaceNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: this.#options.namespace,
            plural: PLURAL,
            name: this.#options.route,
            body: route,
          })) as HttpRoute,
        onConflict: (attempt) =>
          this.#options.log?.(
            `${this.describe()} changed while being updated (conflict ${attempt}); reading it again`,
          ),
      });
    } catch (error) {
      if (error instanceof RouterError) throw error;
      throw new RouterError(`${this.describe()}: cannot update the route: ${apiMessage(error)}`, {
        cause: error,
      });
    }
    this.#options.log?.(
      `${this.describe()}: ${formatWeights(weights)} ${result.written ? 'written' : 'already in place'}`,
    );
    await this.#waitAccepted(result.object.metadata.generation ?? 0, signal);
  }

  async verify(weights: Weights): Promise<void> {
    const route = await this.#get();
    const actual = this.#weightsIn(route);
    if (!sameWeights(actual, weights))
      throw new RouterError(
        `${this.describe()} holds ${formatWeights(actual)}, not ${formatWeights(weights)}`,
      );
    // Every rule must agree, not just the first one `read` reports.
    for (const [index, rule] of this.#slotRules(route)) {
      const ruleWeights = this.#ruleWeights(rule.backendRefs ?? []);
      if (!sameWeights(ruleWeights, weights))
        throw new RouterError(
          `${this.describe()}: rule ${index + 1} holds ${formatWeights(ruleWeights)}, not ${formatWeights(weights)}`,
        );
    }
  }

  async #get(): Promise<HttpRoute> {
    try {
      return (await this.#api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.#options.namespace,
        plural: PLURAL,
        name: this.#options.route,
      })) as HttpRoute;
    } catch (error) {
      const what = apiStatus(error) === 404 ? 'does not exist' : `cannot be read: ${apiMessage(error)}`;
      throw new RouterError(`${this.describe()} ${what}`, { cause: error });
    }
  }

  #matches(ref: BackendRef, service: ServiceRef): boolean {
    return (
      (ref.group ?? '') === '' &&
      (ref.kind ?? 'Service') === 'Service' &&
      (ref.namespace ?? this.#options.namespace) === this.#options.namespace &&
      ref.name === service.name &&
      (service.port === undefined || ref.port === service.port)
    );
  }

  /** The rules (with their index) that send traffic to at least one slot. */
  #slotRules(route: HttpRoute) {
    const rules = (route.spec?.rules ?? []).map((rule, index) => [index, rule] as const);
    const found = rules.filter(([, rule]) =>
      (rule.backendRefs ?? []).some((ref) =>
        [...this.#options.slots.values()].some((s) => this.#matches(ref, s)),
      ),
    );
    if (found.length === 0)
      throw new RouterError(
        `${this.describe()} has no rule with a backendRef to ${[...this.#options.slots.values()].map(formatService).join(' or ')}`,
      );
    return found;
  }

  #ruleWeights(refs: BackendRef[]): Weights {
    const relative = new Map<SlotName, number>();
    for (const [slot, service] of this.#options.slots) {
      const matching = refs.filter((ref) => this.#matches(ref, service));
      // A backendRef without a weight takes weight 1, as the Gateway API defines.
      relative.set(
        slot,
        matching.reduce((sum, ref) => sum + (ref.weight ?? 1), 0),
      );
    }
    return toPercents(relative);
  }

  #weightsIn(route: HttpRoute): Weights {
    const [, rule] = this.#slotRules(route)[0]!;
    const weights = this.#ruleWeights(rule.backendRefs ?? []);
    if (Object.values(weights).every((w) => w === 0))
      throw new RouterError(
        `${this.describe()}: every slot backendRef has weight 0; no slot receives traffic`,
      );
    return weights;
  }

  #withWeights(route: HttpRoute, weights: Weights): HttpRoute | undefined {
    const next = structuredClone(route);
    delete next.status;
    let changed = false;
    for (const [index] of this.#slotRules(route)) {
      const rule = next.spec!.rules![index]!;
      const refs = rule.backendRefs ?? [];
      for (const [slot, service] of this.#options.slots) {
        const matching = refs.filter((ref) => this.#matches(ref, service));
        if (matching.length > 1)
          throw new RouterError(
            `${this.describe()}: rule ${index + 1} names ${formatService(service)} ${matching.length} times; slot "${slot}" needs one backendRef`,
          );
        const weight = weights[slot]!;
        const ref = matching[0];
        if (ref) {
          if (ref.weight !== weight) {
            ref.weight = weight;
            changed = true;
          }
        } else {
          // The other slot's backendRef tells which port the route uses.
          const port = service.port ?? refs.find((r) => r.port !== undefined)?.port;
          if (port === undefined)
            throw new RouterError(
              `${this.describe()}: rule ${index + 1} has no backendRef to ${service.name} and no port to copy; give the slot as ${service.name}:<port>`,
            );
          refs.push({ name: service.name, port, weight });
          changed = true;
        }
      }
      rule.backendRefs = refs;
    }
    return changed ? next : undefined;
  }

  /**
   * Waits until every parent (Gateway) that reports on this route has accepted
   * the generation just written. A route no controller reports on has no
   * `status.parents`; then there is nothing to wait for.
   */
  async #waitAccepted(generation: number, signal?: AbortSignal): Promise<void> {
    const timeoutMs = this.#options.acceptTimeoutMs ?? 60_000;
    const pollMs = this.#options.pollMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const route = await this.#get();
      const parents = route.status?.parents ?? [];
      if (parents.length === 0) return;
      const pending: string[] = [];
      for (const parent of parents) {
        const name = parent.parentRef?.name ?? parent.controllerName ?? 'a parent';
        const accepted = parent.conditions?.find((c) => c.type === 'Accepted');
        const current = accepted && (accepted.observedGeneration ?? generation) >= generation;
        if (current && accepted.status === 'True') continue;
        if (current && accepted.status === 'False')
          throw new RouterError(
            `${this.describe()}: Gateway "${name}" did not accept the change (${accepted.reason ?? 'no reason'}${accepted.message ? `: ${accepted.message}` : ''})`,
          );
        pending.push(name);
      }
      if (pending.length === 0) return;
      if (Date.now() >= deadline)
        throw new RouterError(
          `${this.describe()}: Gateway ${pending.map((p) => `"${p}"`).join(', ')} did not accept generation ${generation} within ${timeoutMs}ms`,
        );
      await sleep(pollMs, signal);
    }
  }
}
