import { createHash } from 'node:crypto';

/**
 * The state behind the Deployments endpoints and how GitHub changes it. The
 * objects kept here are the JSON GitHub returns (validated against the
 * published schema on the way out by the server), so inspection helpers hand
 * tests exactly what a client would see.
 */

export type DeploymentState =
  | 'error'
  | 'failure'
  | 'inactive'
  | 'in_progress'
  | 'queued'
  | 'pending'
  | 'success';

export interface DeploymentJson {
  url: string;
  id: number;
  node_id: string;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  original_environment: string;
  environment: string;
  description: string | null;
  creator: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  transient_environment: boolean;
  production_environment: boolean;
  performed_via_github_app: null;
}

export interface DeploymentStatusJson {
  url: string;
  id: number;
  node_id: string;
  state: DeploymentState;
  creator: Record<string, unknown>;
  description: string;
  environment: string;
  target_url: string;
  created_at: string;
  updated_at: string;
  deployment_url: string;
  repository_url: string;
  environment_url: string;
  log_url: string;
  performed_via_github_app: null;
}

/** What a handler answers; `violation` marks a refusal the real API would also give. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  violation?: string;
}

export interface Call {
  operationId: string;
  docsUrl: string;
  owner: string;
  repo: string;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  /** The fake's own base URL, for the `url` fields of the objects. */
  apiUrl: string;
  /** The full request URL, for Link headers. */
  requestUrl: URL;
}

/** Deployments made with a workflow's GITHUB_TOKEN are created by this account. */
const actionsBot = (apiUrl: string) => ({
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: `${apiUrl}/users/github-actions%5Bbot%5D`,
  html_url: 'https://github.com/apps/github-actions',
  followers_url: `${apiUrl}/users/github-actions%5Bbot%5D/followers`,
  following_url: `${apiUrl}/users/github-actions%5Bbot%5D/following{/other_user}`,
  gists_url: `${apiUrl}/users/github-actions%5Bbot%5D/gists{/gist_id}`,
  starred_url: `${apiUrl}/users/github-actions%5Bbot%5D/starred{/owner}{/repo}`,
  subscriptions_url: `${apiUrl}/users/github-actions%5Bbot%5D/subscriptions`,
  organizations_url: `${apiUrl}/users/github-actions%5Bbot%5D/orgs`,
  repos_url: `${apiUrl}/users/github-actions%5Bbot%5D/repos`,
  events_url: `${apiUrl}/users/github-actions%5Bbot%5D/events{/privacy}`,
  received_events_url: `${apiUrl}/users/github-actions%5Bbot%5D/received_events`,
  type: 'Bot',
  site_admin: false,
});

/** GitHub's maximum length of a deployment status description. */
export const statusDescriptionLimit = 140;

interface StoredDeployment {
  repository: string;
  json: DeploymentJson;
  /** Oldest first. */
  statuses: DeploymentStatusJson[];
}

export class DeploymentsState {
  readonly #deployments: StoredDeployment[] = [];
  #nextDeploymentId = 1_000_001;
  #nextStatusId = 5_000_001;
  readonly #refs: Set<string>;
  readonly #now: () => Date;

  constructor(options: { refs: readonly string[]; now: () => Date }) {
    this.#refs = new Set(options.refs);
    this.#now = options.now;
  }

  /** Deployments of a repository as GitHub lists them: newest first. */
  deployments(owner: string, repo: string): DeploymentJson[] {
    const repository = `${owner}/${repo}`.toLowerCase();
    return this.#deployments
      .filter((d) => d.repository === repository)
      .map((d) => d.json)
      .sort((a, b) => b.id - a.id);
  }

  /** Statuses of a deployment, newest first. */
  statuses(deploymentId: number): DeploymentStatusJson[] {
    const stored = this.#deployments.find((d) => d.json.id === deploymentId);
    return stored ? [...stored.statuses].reverse() : [];
  }

  handle(call: Call): Reply {
    switch (call.operationId) {
      case 'repos/create-deployment':
        return this.#create(call);
      case 'repos/list-deployments':
        return this.#list(call);
      case 'repos/get-deployment':
        return this.#withDeployment(call, (d) => ({ status: 200, body: d.json }));
      case 'repos/delete-deployment':
        return this.#withDeployment(call, (d) => this.#delete(call, d));
      case 'repos/create-deployment-status':
        return this.#withDeployment(call, (d) => this.#createStatus(call, d));
      case 'repos/list-deployment-statuses':
        return this.#withDeployment(call, (d) => paginate(call, [...d.statuses].reverse()));
      case 'repos/get-deployment-status':
        return this.#withDeployment(call, (d) => {
          const status = d.statuses.find((s) => s.id === call.params.status_id);
          return status
            ? { status: 200, body: status }
            : notFound(call, `no status ${call.params.status_id}`);
        });
      default:
        return notFound(call, `${call.operationId} is not served by the fake`);
    }
  }

  #timestamp(): string {
    // GitHub's timestamps have whole seconds.
    return `${this.#now().toISOString().slice(0, 19)}Z`;
  }

  #withDeployment(call: Call, then: (d: StoredDeployment) => Reply): Reply {
    const repository = `${call.owner}/${call.repo}`.toLowerCase();
    const stored = this.#deployments.find(
      (d) => d.repository === repository && d.json.id === call.params.deployment_id,
    );
    return stored ? then(stored) : notFound(call, `no deployment ${call.params.deployment_id}`);
  }

  #resolveRef(ref: string): string | undefined {
    // The fake has no git objects: a hexadecimal SHA (7 to 40 digits) stands for
    // itself; a branch or tag must be one the test declared, as GitHub refuses
    // a ref it cannot resolve.
    if (/^[0-9a-f]{7,40}$/i.test(ref)) return ref.length === 40 ? ref.toLowerCase() : sha1(ref);
    return this.#refs.has(ref) ? sha1(`ref:${ref}`) : undefined;
  }

  #create(call: Call): Reply {
    const body = call.body;
    const ref = body.ref as string;
    const sha = this.#resolveRef(ref);
    if (!sha) return unprocessable(call, `No ref found for: ${ref}`);
    const environment = (body.environment as string | undefined) ?? 'production';
    const id = this.#nextDeploymentId++;
    const now = this.#timestamp();
    const repositoryUrl = `${call.apiUrl}/repos/${call.owner}/${call.repo}`;
    const url = `${repositoryUrl}/deployments/${id}`;
    const json: DeploymentJson = {
      url,
      id,
      node_id: nodeId('DE', id),
      sha,
      ref,
      task: (body.task as string | undefined) ?? 'deploy',
      payload: parsePayload(body.payload),
      original_environment: environment,
      environment,
      description: (body.description as string | null | undefined) ?? '',
      creator: actionsBot(call.apiUrl),
      created_at: now,
      updated_at: now,
      statuses_url: `${url}/statuses`,
      repository_url: repositoryUrl,
      transient_environment: (body.transient_environment as boolean | undefined) ?? false,
      production_environment:
        (body.production_environment as boolean | undefined) ?? environment === 'production',
      performed_via_github_app: null,
    };
    this.#deployments.push({ repository: `${call.owner}/${call.repo}`.toLowerCase(), json, statuses: [] });
    return { status: 201, body: json };
  }

  #list(call: Call): Reply {
    const { sha, ref, task, environment } = call.query as Record<string, string | undefined>;
    const matching = this.deployments(call.owner, call.repo).filter(
      (d) =>
        (sha === undefined || d.sha === sha) &&
        (ref === undefined || d.ref === ref) &&
        (task === undefined || d.task === task) &&
        (environment === undefined || d.environment === environment),
    );
    return paginate(call, matching);
  }

  #delete(call: Call, stored: StoredDeployment): Reply {
    const latest = stored.statuses.at(-1);
    const others = this.#deployments.filter(
      (d) =>
        d !== stored && d.repository === stored.repository && d.json.environment === stored.json.environment,
    );
    // GitHub keeps the record of what is live: an active (latest status
    // `success`) deployment can only be deleted when it is the only one of its
    // environment; the others must be made inactive first.
    if (latest?.state === 'success' && others.length > 0)
      return unprocessable(
        call,
        'We cannot delete an active deployment unless it is the only deployment in a given environment.',
      );
    this.#deployments.splice(this.#deployments.indexOf(stored), 1);
    return { status: 204 };
  }

  #createStatus(call: Call, stored: StoredDeployment): Reply {
    const body = call.body;
    const description = (body.description as string | undefined) ?? '';
    if ([...description].length > statusDescriptionLimit)
      return unprocessable(
        call,
        `description is too long (maximum is ${statusDescriptionLimit} characters, got ${[...description].length})`,
      );
    for (const field of ['target_url', 'log_url', 'environment_url'] as const) {
      const value = body[field] as string | undefined;
      // The request schema says only "string", but the response documents a URI:
      // the fake cannot answer truthfully with anything else, so it refuses.
      if (value && !URL.canParse(value)) return unprocessable(call, `${field} is not a URL: ${value}`);
    }
    if (typeof body.environment === 'string' && body.environment !== '')
      stored.json.environment = body.environment;
    const state = body.state as DeploymentState;
    const status = this.#addStatus(stored, call.apiUrl, {
      state,
      description,
      logUrl: (body.log_url as string | undefined) || (body.target_url as string | undefined) || '',
      environmentUrl: (body.environment_url as string | undefined) ?? '',
    });
    // `auto_inactive` (default true), as the description of this endpoint says:
    // "Adds a new inactive status to all prior non-transient, non-production
    // environment deployments with the same repository and environment name
    // … only … to deployments that had a success state." A production
    // deployment (`production_environment`, true by default for the
    // environment named production) is never made inactive by it: in
    // production, a client that wants one active deployment must mark the
    // superseded ones inactive itself.
    if (state === 'success' && body.auto_inactive !== false) {
      for (const other of this.#deployments) {
        if (
          other !== stored &&
          other.repository === stored.repository &&
          other.json.environment === stored.json.environment &&
          other.json.id < stored.json.id &&
          !other.json.transient_environment &&
          !other.json.production_environment &&
          other.statuses.at(-1)?.state === 'success'
        ) {
          const last = other.statuses.at(-1);
          this.#addStatus(other, call.apiUrl, {
            state: 'inactive',
            description: '',
            logUrl: last?.log_url ?? '',
            environmentUrl: last?.environment_url ?? '',
          });
        }
      }
    }
    return { status: 201, body: status, headers: { location: status.url } };
  }

  #addStatus(
    stored: StoredDeployment,
    apiUrl: string,
    fields: { state: DeploymentState; description: string; logUrl: string; environmentUrl: string },
  ): DeploymentStatusJson {
    const id = this.#nextStatusId++;
    const now = this.#timestamp();
    const status: DeploymentStatusJson = {
      url: `${stored.json.url}/statuses/${id}`,
      id,
      node_id: nodeId('DES', id),
      state: fields.state,
      creator: actionsBot(apiUrl),
      description: fields.description,
      environment: stored.json.environment,
      target_url: fields.logUrl,
      created_at: now,
      updated_at: now,
      deployment_url: stored.json.url,
      repository_url: stored.json.repository_url,
      environment_url: fields.environmentUrl,
      log_url: fields.logUrl,
      performed_via_github_app: null,
    };
    stored.statuses.push(status);
    stored.json.updated_at = now;
    return status;
  }
}

/** One page of `items` (per_page capped at 100 as GitHub does) with GitHub's Link header. */
function paginate(call: Call, items: unknown[]): Reply {
  const perPage = Math.min(100, Math.max(1, (call.query.per_page as number | undefined) ?? 30));
  const page = Math.max(1, (call.query.page as number | undefined) ?? 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const url = new URL(call.requestUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return {
    status: 200,
    body: items.slice((page - 1) * perPage, page * perPage),
    ...(links.length > 0 ? { headers: { link: links.join(', ') } } : {}),
  };
}

/**
 * A payload given as JSON text is stored as the object it encodes, as GitHub
 * returns it; no payload is `{}`.
 */
function parsePayload(payload: unknown): Record<string, unknown> | string {
  if (payload === undefined || payload === '') return {};
  if (typeof payload === 'string') {
    try {
      const parsed = JSON.parse(payload) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Not JSON: GitHub keeps the text.
    }
    return payload;
  }
  return payload as Record<string, unknown>;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

export function notFound(call: Pick<Call, 'docsUrl'>, why: string): Reply {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: call.docsUrl, status: '404' },
    violation: `404 Not Found: ${why}`,
  };
}

export function unprocessable(call: Pick<Call, 'docsUrl'>, message: string): Reply {
  return {
    status: 422,
    body: { message, documentation_url: call.docsUrl, status: '422' },
    violation: `422 ${message}`,
  };
}
