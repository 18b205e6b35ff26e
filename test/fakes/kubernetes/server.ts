import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { applyJsonPatch, applyMergePatch, PatchError } from './patch.js';

/**
 * An in-process Kubernetes API server for the resources Glidepath touches,
 * speaking the REST paths `@kubernetes/client-node` 2.x calls:
 *
 *   /apis/gateway.networking.k8s.io/v1/namespaces/{ns}/httproutes[/{name}]  (CustomObjectsApi)
 *   /apis/networking.k8s.io/v1/namespaces/{ns}/ingresses[/{name}]           (NetworkingV1Api)
 *   /apis/apps/v1/namespaces/{ns}/deployments[/{name}]                       (AppsV1Api)
 *
 * with GET (item and list), POST, PUT and PATCH (JSON Patch and JSON Merge
 * Patch). Every object written is validated against the published object
 * models (`kubernetes-models`, `@kubernetes-models/gateway-api`); every write
 * that carries a stale resourceVersion gets 409 Conflict with the same Status
 * body a real API server sends. Anything the fake does not know — a path, a
 * method, a content type, an invalid object, a missing token — is answered
 * with an error AND recorded in `violations`, which tests assert is empty.
 *
 * A simulated controller plays the Gateway controller (sets the HTTPRoute's
 * `Accepted` condition for the new generation after a delay) and the
 * Deployment controller (moves status toward spec one replica per step), and
 * either can be made to stall.
 */

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  validate: (object: unknown) => void;
}

const RESOURCES: ResourceType[] = [
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
    kind: 'HTTPRoute',
    validate: (o) => new HTTPRoute(o as never).validate(),
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    kind: 'Ingress',
    validate: (o) => new Ingress(o as never).validate(),
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    validate: (o) => new Deployment(o as never).validate(),
  },
];

// biome-ignore lint/suspicious/noExplicitAny: stored objects are arbitrary JSON validated by the models.
type KubeObject = Record<string, any>;

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  status: number;
  /** The parsed request body, for writes. */
  body?: unknown;
}

export interface FakeKubernetesOptions {
  /** The bearer token clients must send; a random one by default. */
  token?: string;
  /** How long the Gateway controller takes to accept a new HTTPRoute generation (default 150 ms). */
  routeAcceptDelayMs?: number;
  /** One Deployment controller step (one more replica updated) (default 100 ms). */
  deploymentStepMs?: number;
}

const GATEWAY_CONTROLLER = 'example.net/fake-gateway-controller';

export class FakeKubernetes {
  readonly token: string;
  url = '';
  /** Everything a client did that a real API server would have refused or that the fake does not implement. */
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];

  readonly #server: Server;
  readonly #objects = new Map<string, KubeObject>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #resourceVersion = 1000;
  #conflicts = 0;
  #routeAcceptDelayMs: number;
  #deploymentStepMs: number;
  #routesStalled = false;
  #routeRejection: { reason: string; message: string } | undefined;
  #deploymentsStalled: false | 'stall' | 'deadline' = false;

  private constructor(options: FakeKubernetesOptions) {
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.#routeAcceptDelayMs = options.routeAcceptDelayMs ?? 150;
    this.#deploymentStepMs = options.deploymentStepMs ?? 100;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.violations.push(`fake crashed on ${req.method} ${req.url}: ${(error as Error).stack}`);
        if (!res.headersSent) this.#send(res, 500, status(500, 'InternalError', (error as Error).message));
      });
    });
  }

  static async start(options: FakeKubernetesOptions = {}): Promise<FakeKubernetes> {
    const fake = new FakeKubernetes(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Makes the next `n` writes fail with 409 Conflict, as if someone else had written the object just before. */
  conflictNext(n: number): void {
    this.#conflicts = n;
  }

  /** Stops (or resumes) the Gateway controller: no more status updates for HTTPRoutes. */
  stallRoutes(stalled = true): void {
    this.#routesStalled = stalled;
  }

  /** Makes the Gateway controller report `Accepted: False` with this reason, or accept again with undefined. */
  rejectRoutes(rejection: { reason: string; message: string } | undefined): void {
    this.#routeRejection = rejection;
  }

  /**
   * Stalls the Deployment controller: `'stall'` observes new generations but
   * updates no replica (an image that never pulls); `'deadline'` also reports
   * `Progressing: False, ProgressDeadlineExceeded`; false resumes.
   */
  stallDeployments(mode: false | 'stall' | 'deadline' = 'stall'): void {
    this.#deploymentsStalled = mode;
    if (!mode)
      for (const object of this.#objects.values()) if (object.kind === 'Deployment') this.#rollOut(object);
  }

  /** Creates or replaces an object as a cluster admin would (validated, no resourceVersion check). */
  put(object: KubeObject): KubeObject {
    const type = RESOURCES.find(
      (r) => r.kind === object.kind && `${r.group}/${r.version}` === object.apiVersion,
    );
    if (!type) throw new Error(`the fake does not serve ${object.apiVersion} ${object.kind}`);
    const namespace = object.metadata?.namespace ?? 'default';
    const key = keyOf(type, namespace, object.metadata?.name);
    const previous = this.#objects.get(key);
    const stored = this.#store(type, key, { ...structuredClone(object) }, previous, true);
    if (stored instanceof Error) throw stored;
    return structuredClone(stored);
  }

  /** The stored object, or undefined. */
  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    const type = RESOURCES.find((r) => r.kind === kind);
    if (!type) return undefined;
    const object = this.#objects.get(keyOf(type, namespace, name));
    return object && structuredClone(object);
  }

  /** Changes an object's status directly, as a controller would through the status subresource. */
  setStatus(kind: string, namespace: string, name: string, statusValue: KubeObject): void {
    const type = RESOURCES.find((r) => r.kind === kind)!;
    const object = this.#objects.get(keyOf(type, namespace, name));
    if (!object) throw new Error(`no ${kind} ${namespace}/${name}`);
    this.#writeStatus(type, object, statusValue);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    const record: RecordedRequest = { method, path: url.pathname, contentType, status: 0 };
    this.requests.push(record);
    const reply = (code: number, body: unknown) => {
      record.status = code;
      this.#send(res, code, body);
    };

    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.violations.push(`${method} ${url.pathname} without the bearer token`);
      return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const match =
      /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([a-z0-9-]+)\/([a-z]+)(?:\/([a-z0-9.-]+))?(\/status)?$/.exec(
        url.pathname,
      );
    const type =
      match && RESOURCES.find((r) => r.group === match[1] && r.version === match[2] && r.plural === match[4]);
    if (!match || !type || match[6]) {
      this.violations.push(`unknown path: ${method} ${url.pathname}`);
      return reply(404, status(404, 'NotFound', `the server could not find the requested resource`));
    }
    const namespace = match[3]!;
    const name = match[5];
    const key = name ? keyOf(type, namespace, name) : undefined;

    let body: unknown;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const text = await readBody(req);
      try {
        body = JSON.parse(text);
        record.body = body;
      } catch {
        this.violations.push(`${method} ${url.pathname}: the body is not JSON`);
        return reply(400, status(400, 'BadRequest', 'the body is not JSON'));
      }
    }

    if (method === 'GET' && key) {
      const object = this.#objects.get(key);
      if (!object) return reply(404, notFound(type, name!));
      return reply(200, object);
    }
    if (method === 'GET' && !key) {
      const prefix = `${type.plural}/${namespace}/`;
      const items = [...this.#objects].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o);
      return reply(200, {
        apiVersion: `${type.group}/${type.version}`,
        kind: `${type.kind}List`,
        metadata: { resourceVersion: String(this.#resourceVersion) },
        items,
      });
    }
    if (method === 'POST' && !key) {
      const object = body as KubeObject;
      const objectKey = keyOf(type, namespace, object?.metadata?.name);
      if (this.#objects.has(objectKey))
        return reply(
          409,
          status(409, 'AlreadyExists', `${type.plural} "${object.metadata.name}" already exists`),
        );
      const stored = this.#store(type, objectKey, { ...object }, undefined, false, namespace);
      return stored instanceof Error
        ? reply(422, invalid(type, object?.metadata?.name, stored))
        : reply(201, stored);
    }
    if ((method === 'PUT' || method === 'PATCH') && key) {
      const current = this.#objects.get(key);
      if (!current) return reply(404, notFound(type, name!));
      let next: KubeObject;
      if (method === 'PUT') {
        if (contentType !== 'application/json') {
          this.violations.push(`PUT ${url.pathname} with content type ${contentType}`);
          return reply(
            415,
            status(415, 'UnsupportedMediaType', `the media type ${contentType} is not supported`),
          );
        }
        next = body as KubeObject;
        if (next?.metadata?.name !== name || next?.kind !== type.kind) {
          this.violations.push(`PUT ${url.pathname} with a body for ${next?.kind} ${next?.metadata?.name}`);
          return reply(
            400,
            status(400, 'BadRequest', 'the name or kind of the object does not match the URL'),
          );
        }
      } else {
        try {
          if (contentType === 'application/json-patch+json')
            next = applyJsonPatch(current, body) as KubeObject;
          else if (contentType === 'application/merge-patch+json')
            next = applyMergePatch(current, body) as KubeObject;
          else {
            this.violations.push(
              `PATCH ${url.pathname} with content type ${contentType}, which the fake does not implement`,
            );
            return reply(
              415,
              status(415, 'UnsupportedMediaType', `the media type ${contentType} is not supported`),
            );
          }
        } catch (error) {
          if (!(error instanceof PatchError)) throw error;
          return reply(422, status(422, 'Invalid', `the patch could not be applied: ${error.message}`));
        }
      }
      // The API server treats a resourceVersion in the written object as a
      // precondition, for a replace and for a patch alike.
      const wanted = next.metadata?.resourceVersion;
      if (this.#conflicts > 0) {
        this.#conflicts--;
        // Someone else wrote the object just now.
        current.metadata.resourceVersion = String(++this.#resourceVersion);
        return reply(409, conflict(type, name!));
      }
      if (wanted !== undefined && wanted !== '' && wanted !== current.metadata.resourceVersion)
        return reply(409, conflict(type, name!));
      const stored = this.#store(type, key, next, current, false, namespace);
      return stored instanceof Error ? reply(422, invalid(type, name!, stored)) : reply(200, stored);
    }
    this.violations.push(`unsupported method: ${method} ${url.pathname}`);
    return reply(405, status(405, 'MethodNotAllowed', `${method} is not supported`));
  }

  /**
   * Validates and stores a new version of an object, with the fields the API
   * server owns: uid, creationTimestamp, resourceVersion, and a generation that
   * moves only when the spec does. Status belongs to the status subresource:
   * a write to the object itself keeps the stored status.
   */
  #store(
    type: ResourceType,
    key: string,
    next: KubeObject,
    previous: KubeObject | undefined,
    admin: boolean,
    namespace?: string,
  ): KubeObject | Error {
    const object: KubeObject = structuredClone(next);
    object.apiVersion ??= `${type.group}/${type.version}`;
    object.kind ??= type.kind;
    object.metadata = { ...object.metadata, namespace: namespace ?? object.metadata?.namespace ?? 'default' };
    const specChanged = !previous || JSON.stringify(previous.spec) !== JSON.stringify(object.spec);
    object.metadata.uid = previous?.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    object.metadata.generation = (previous?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    if (!admin || !object.status) {
      if (previous?.status) object.status = structuredClone(previous.status);
      else delete object.status;
    }
    try {
      type.validate(object);
    } catch (error) {
      this.violations.push(`invalid ${type.kind} ${object.metadata?.name}: ${(error as Error).message}`);
      return error as Error;
    }
    object.metadata.resourceVersion = String(++this.#resourceVersion);
    this.#objects.set(key, object);
    if (specChanged) this.#onSpecChange(type, object);
    return structuredClone(object);
  }

  #writeStatus(type: ResourceType, object: KubeObject, value: KubeObject): void {
    const candidate = { ...structuredClone(object), status: value };
    try {
      type.validate(candidate);
    } catch (error) {
      this.violations.push(
        `the fake controller wrote an invalid ${type.kind} status: ${(error as Error).message}`,
      );
      return;
    }
    object.status = value;
    object.metadata.resourceVersion = String(++this.#resourceVersion);
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #onSpecChange(type: ResourceType, object: KubeObject): void {
    if (type.kind === 'HTTPRoute')
      this.#later(this.#routeAcceptDelayMs, () => this.#acceptRoute(type, object));
    if (type.kind === 'Deployment') this.#rollOut(object);
  }

  /** The Gateway controller: one status entry per parentRef, `Accepted` for the current generation. */
  #acceptRoute(type: ResourceType, object: KubeObject): void {
    const key = keyOf(type, object.metadata.namespace, object.metadata.name);
    const current = this.#objects.get(key);
    if (!current || this.#routesStalled) return;
    const parents = (current.spec?.parentRefs ?? []) as KubeObject[];
    if (parents.length === 0) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const generation = current.metadata.generation;
    const rejection = this.#routeRejection;
    this.#writeStatus(type, current, {
      parents: parents.map((parentRef) => ({
        parentRef,
        controllerName: GATEWAY_CONTROLLER,
        conditions: [
          {
            type: 'Accepted',
            status: rejection ? 'False' : 'True',
            reason: rejection?.reason ?? 'Accepted',
            message: rejection?.message ?? 'Route is accepted',
            observedGeneration: generation,
            lastTransitionTime: now,
          },
          {
            type: 'ResolvedRefs',
            status: 'True',
            reason: 'ResolvedRefs',
            message: 'All references resolved',
            observedGeneration: generation,
            lastTransitionTime: now,
          },
        ],
      })),
    });
  }

  /**
   * The Deployment controller, one step per `deploymentStepMs`: observe the
   * generation, then one more replica updated per step (with one surge pod
   * while old ones remain), each becoming available one step later.
   */
  #rollOut(object: KubeObject): void {
    const type = RESOURCES.find((r) => r.kind === 'Deployment')!;
    const key = keyOf(type, object.metadata.namespace, object.metadata.name);
    const generation = object.metadata.generation;
    let step = 0;
    const tick = () => {
      const current = this.#objects.get(key);
      if (!current || current.metadata.generation !== generation) return;
      const replicas: number = current.spec?.replicas ?? 1;
      const old = current.status ?? {};
      if (this.#deploymentsStalled) {
        const conditions =
          this.#deploymentsStalled === 'deadline'
            ? [
                {
                  type: 'Progressing',
                  status: 'False',
                  reason: 'ProgressDeadlineExceeded',
                  message: `ReplicaSet "${current.metadata.name}-new" has timed out progressing.`,
                },
              ]
            : (old.conditions ?? []);
        this.#writeStatus(type, current, {
          ...old,
          observedGeneration: generation,
          updatedReplicas: 0,
          replicas: Math.max(old.replicas ?? replicas, replicas),
          conditions,
        });
        return;
      }
      step++;
      const updated = Math.min(replicas, step);
      const done = step > replicas;
      this.#writeStatus(type, current, {
        observedGeneration: generation,
        replicas: done ? replicas : replicas + 1,
        updatedReplicas: updated,
        readyReplicas: done ? replicas : Math.max(0, updated - 1) + (replicas - updated),
        availableReplicas: done ? replicas : Math.max(0, updated - 1) + (replicas - updated),
        conditions: [
          {
            type: 'Progressing',
            status: 'True',
            reason: done ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
            message: done ? 'ReplicaSet has successfully progressed.' : 'ReplicaSet is progressing.',
          },
        ],
      });
      if (!done) this.#later(this.#deploymentStepMs, tick);
    };
    this.#later(this.#deploymentStepMs, tick);
  }

  #send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function keyOf(type: ResourceType, namespace: string, name: string | undefined): string {
  return `${type.plural}/${namespace}/${name ?? ''}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A `Status` object as the API server returns with every error. */
function status(code: number, reason: string, message: string, details?: KubeObject): KubeObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

function notFound(type: ResourceType, name: string): KubeObject {
  return status(404, 'NotFound', `${type.plural}.${type.group} "${name}" not found`, {
    name,
    group: type.group,
    kind: type.plural,
  });
}

function conflict(type: ResourceType, name: string): KubeObject {
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${type.plural}.${type.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: type.group, kind: type.plural },
  );
}

function invalid(type: ResourceType, name: string, error: Error): KubeObject {
  return status(422, 'Invalid', `${type.kind}.${type.group} "${name}" is invalid: ${error.message}`, {
    name,
    group: type.group,
    kind: type.kind,
  });
}
