import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Call,
  type DeploymentJson,
  type DeploymentStatusJson,
  DeploymentsState,
  notFound,
  type Reply,
} from './deployments.js';
import {
  type JsonSchema,
  loadOperations,
  type OperationSpec,
  validateBody,
  validateParameters,
} from './openapi.js';

/**
 * An in-process GitHub REST API for tests. Every request is checked against
 * GitHub's OpenAPI description (path, method, parameters, body) before it is
 * served, and every response against the schema documented for its status
 * code. A request the real API would refuse gets GitHub's status code and is
 * recorded in `violations`, so a test fails on a malformed call even when the
 * code under test swallowed the error.
 */

const servedOperations = [
  'repos/create-deployment',
  'repos/list-deployments',
  'repos/get-deployment',
  'repos/delete-deployment',
  'repos/create-deployment-status',
  'repos/list-deployment-statuses',
  'repos/get-deployment-status',
] as const;

/** The OpenAPI operations the fake serves (what it validates against). */
export function servedOperationSpecs(): Map<string, OperationSpec> {
  return loadOperations(servedOperations);
}

export interface GitHubFakeOptions {
  /** Repositories that exist, as `owner/name`; any other answers 404 (and is a violation). */
  repos: string[];
  /** The only token accepted; default: a generated one. */
  token?: string;
  /** Branch and tag names that resolve (any hexadecimal SHA does). Default: `main`. */
  refs?: string[];
  /** Clock for `created_at`/`updated_at`. */
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  operationId?: string;
  body?: unknown;
  status: number;
  /** True for a failure injected with `failNext`. */
  injected?: boolean;
}

export interface Violation {
  method: string;
  url: string;
  operationId?: string;
  status: number;
  problems: string[];
}

export interface GitHubFake {
  /** Base URL of the API (what `GITHUB_API_URL` would be). */
  url: string;
  token: string;
  requests: RecordedRequest[];
  violations: Violation[];
  /** Responses that failed their own documented schema: bugs in the fake. */
  bugs: string[];
  /** Throws, listing them, if any request was refused or any response was invalid. */
  assertNoViolations(): void;
  /** Returns the violations so far and forgets them (for tests that expect a refusal). */
  takeViolations(): Violation[];
  /** Deployments of a repository, newest first, as the API returns them. */
  deployments(owner: string, repo: string): DeploymentJson[];
  /** Statuses of a deployment, newest first. */
  statuses(deploymentId: number): DeploymentStatusJson[];
  /** The next `count` requests (any route) fail with `status` before reaching the API. */
  failNext(status: number, count?: number): void;
  /** The next `count` requests of one operation (e.g. `repos/list-deployments`) fail with `status`. */
  failOperation(operationId: string, status: number, count?: number): void;
  close(): Promise<void>;
}

interface Route {
  op: OperationSpec;
  pattern: RegExp;
  names: string[];
}

const basicError: JsonSchema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    documentation_url: { type: 'string' },
    url: { type: 'string' },
    status: { type: 'string' },
  },
  required: ['message'],
};

function routesOf(operations: Map<string, OperationSpec>): Route[] {
  return [...operations.values()].map((op) => {
    const names: string[] = [];
    const source = op.path
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
    return { op, pattern: new RegExp(`^${source}$`), names };
  });
}

export async function startGitHubFake(options: GitHubFakeOptions): Promise<GitHubFake> {
  const operations = servedOperationSpecs();
  const routes = routesOf(operations);
  const token = options.token ?? `ghs_fake${Math.random().toString(36).slice(2, 14)}`;
  const repos = new Set(options.repos.map((r) => r.toLowerCase()));
  const state = new DeploymentsState({
    refs: options.refs ?? ['main'],
    now: options.now ?? (() => new Date()),
  });
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const bugs: string[] = [];
  let faults: Array<number> = [];
  /** Faults for one operation only, by operationId. */
  const operationFaults = new Map<string, number[]>();
  let apiUrl = '';

  type Handled = Reply & { operationId?: string; injected?: boolean };

  function handle(request: IncomingMessage, rawBody: string): Handled {
    const url = new URL(request.url ?? '/', apiUrl);
    const method = request.method ?? 'GET';
    const fault = faults.shift();
    if (fault !== undefined)
      return {
        status: fault,
        body: { message: fault >= 500 ? 'Server Error' : 'Injected failure' },
        injected: true,
      };

    const authorization = request.headers.authorization ?? '';
    const presented = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization)?.[1];
    if (!presented)
      return unauthorized('Requires authentication', `no "Authorization: token|Bearer <token>" header`);
    if (presented !== token)
      return unauthorized('Bad credentials', 'the token is not the one the fake issued');

    const match = routes
      .map((route) => ({ route, found: route.pattern.exec(url.pathname) }))
      .filter((m) => m.found !== null);
    const chosen = match.find((m) => m.route.op.method === method);
    if (!chosen) {
      const known = match.map((m) => m.route.op.method).join(', ');
      return notFound(
        { docsUrl: 'https://docs.github.com/rest' },
        known
          ? `${method} is not an operation of ${url.pathname} (only ${known})`
          : `no documented operation serves ${method} ${url.pathname}`,
      );
    }
    const { op } = chosen.route;
    const operationFault = operationFaults.get(op.operationId)?.shift();
    if (operationFault !== undefined)
      return {
        status: operationFault,
        body: { message: operationFault >= 500 ? 'Server Error' : 'Injected failure' },
        operationId: op.operationId,
        injected: true,
      };
    const rawPath = Object.fromEntries(
      chosen.route.names.map((name, i) => [name, decodeURIComponent(chosen.found?.[i + 1] ?? '')]),
    );
    const docs = { docsUrl: op.docsUrl };
    const path = validateParameters(op, 'path', rawPath);
    // GitHub routes `/deployments/abc` nowhere: a malformed path parameter is a 404.
    if (path.problems.length > 0)
      return { ...notFound(docs, path.problems.join('; ')), operationId: op.operationId };
    const owner = String(path.values.owner);
    const repo = String(path.values.repo);
    if (!repos.has(`${owner}/${repo}`.toLowerCase()))
      return {
        ...notFound(docs, `repository ${owner}/${repo} does not exist in the fake`),
        operationId: op.operationId,
      };

    const query = validateParameters(op, 'query', Object.fromEntries(url.searchParams));
    if (query.problems.length > 0) return { ...invalid(op, query.problems), operationId: op.operationId };
    // GitHub ignores a parameter it does not know, so the request is served;
    // but it is almost always a typo that silently drops a filter, so it is a violation.
    const ignored = query.undocumented;

    let body: unknown;
    if (op.requestBody) {
      if (rawBody.trim() === '') {
        if (op.requestBody.required)
          return { ...invalid(op, ['a JSON request body is required']), operationId: op.operationId };
        body = {};
      } else {
        try {
          body = JSON.parse(rawBody);
        } catch {
          return {
            status: 400,
            body: { message: 'Problems parsing JSON', documentation_url: op.docsUrl, status: '400' },
            violation: `400 Problems parsing JSON: ${rawBody.slice(0, 200)}`,
            operationId: op.operationId,
          };
        }
      }
      const problems = validateBody(op.requestBody.schema, body, 'body');
      if (problems.length > 0) return { ...invalid(op, problems), operationId: op.operationId };
    } else if (rawBody.trim() !== '') {
      return { ...invalid(op, [`${op.operationId} takes no request body`]), operationId: op.operationId };
    }

    const call: Call = {
      operationId: op.operationId,
      docsUrl: op.docsUrl,
      owner,
      repo,
      params: path.values,
      query: query.values,
      body: (body ?? {}) as Record<string, unknown>,
      apiUrl,
      requestUrl: url,
    };
    const reply = state.handle(call);
    const violation = [...ignored, ...(reply.violation ? [reply.violation] : [])].join('; ');
    return { ...reply, operationId: op.operationId, ...(violation ? { violation } : {}) };
  }

  function unauthorized(message: string, why: string): Reply {
    return {
      status: 401,
      body: { message, documentation_url: 'https://docs.github.com/rest', status: '401' },
      violation: `401 ${message}: ${why}`,
    };
  }

  /** Checks a response against its documented schema; an invalid one is a bug in the fake. */
  function checkResponse(operationId: string | undefined, reply: Reply): string[] {
    const documented = operationId ? operations.get(operationId)?.responses[String(reply.status)] : undefined;
    if (reply.status === 204) return reply.body === undefined ? [] : ['a 204 response must have no body'];
    if (documented && !documented.schema)
      return reply.body === undefined ? [] : [`status ${reply.status} documents no body`];
    const schema = documented?.schema ?? (reply.status >= 400 ? basicError : undefined);
    if (!schema) return [`status ${reply.status} is not documented for ${operationId}`];
    return validateBody(schema, reply.body, 'response');
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const method = request.method ?? 'GET';
      const target = request.url ?? '/';
      let reply: Handled;
      let requestBody: unknown;
      try {
        reply = handle(request, rawBody);
        requestBody = rawBody ? safeJson(rawBody) : undefined;
      } catch (error) {
        const message = `the fake threw on ${method} ${target}: ${error instanceof Error ? error.stack : String(error)}`;
        bugs.push(message);
        reply = { status: 500, body: { message } };
      }
      const injected = reply.injected === true;
      const problems = checkResponse(reply.operationId, reply);
      if (problems.length > 0) {
        const message = `the fake's ${reply.status} response to ${method} ${target} breaks GitHub's schema: ${problems.join('; ')}`;
        bugs.push(message);
        // Loud on the console too, as the test may not look at `bugs` until the end.
        console.error(message);
        reply = { status: 500, body: { message } };
      }
      if (reply.violation)
        violations.push({
          method,
          url: target,
          ...(reply.operationId ? { operationId: reply.operationId } : {}),
          status: reply.status,
          problems: [reply.violation],
        });
      requests.push({
        method,
        url: target,
        ...(reply.operationId ? { operationId: reply.operationId } : {}),
        ...(requestBody !== undefined ? { body: requestBody } : {}),
        status: reply.status,
        ...(injected ? { injected: true } : {}),
      });
      const headers: Record<string, string> = {
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-github-request-id': `FAKE:${requests.length}`,
        ...(reply.headers ?? {}),
      };
      if (reply.body === undefined) {
        response.writeHead(reply.status, headers).end();
      } else {
        response
          .writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify(reply.body));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: apiUrl,
    token,
    requests,
    violations,
    bugs,
    assertNoViolations() {
      const lines = [
        ...violations.map((v) => `${v.method} ${v.url} → ${v.status}: ${v.problems.join('; ')}`),
        ...bugs.map((b) => `bug in the fake: ${b}`),
      ];
      if (lines.length > 0)
        throw new Error(`The GitHub fake refused ${lines.length} request(s):\n  ${lines.join('\n  ')}`);
    },
    takeViolations() {
      return violations.splice(0, violations.length);
    },
    deployments: (owner, repo) => state.deployments(owner, repo),
    statuses: (deploymentId) => state.statuses(deploymentId),
    failNext(status, count = 1) {
      faults = [...faults, ...Array.from({ length: count }, () => status)];
    },
    failOperation(operationId, status, count = 1) {
      const queued = operationFaults.get(operationId) ?? [];
      operationFaults.set(operationId, [...queued, ...Array.from({ length: count }, () => status)]);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else if (bugs.length > 0)
            reject(new Error(`The GitHub fake answered against its own schema:\n${bugs.join('\n')}`));
          else resolve();
        });
      });
    },
  };
}

function invalid(op: OperationSpec, problems: string[]): Reply {
  return {
    status: 422,
    body: {
      message: `Invalid request.\n\n${problems.join('\n')}`,
      documentation_url: op.docsUrl,
      status: '422',
    },
    violation: `422 against GitHub's OpenAPI description of ${op.operationId}: ${problems.join('; ')}`,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
