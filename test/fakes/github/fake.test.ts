import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubClient } from '../../../packages/core/src/github.js';
import {
  type DeploymentJson,
  type GitHubFake,
  servedOperationSpecs,
  startGitHubFake,
  validateBody,
} from './index.js';

const sha = 'a'.repeat(40);
let fake: GitHubFake;
let octokit: Octokit;

beforeEach(async () => {
  fake = await startGitHubFake({ repos: ['acme/shop'] });
  octokit = new Octokit({ auth: fake.token, baseUrl: fake.url });
});

afterEach(async () => {
  await fake.close();
});

/** Creates a deployment through Octokit, expecting GitHub's 201. */
async function createDeployment(fields: Record<string, unknown>): Promise<DeploymentJson> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/deployments', {
    owner: 'acme',
    repo: 'shop',
    ...fields,
  } as never);
  expect(response.status).toBe(201);
  return response.data as unknown as DeploymentJson;
}

/** The status and GitHub message of a refused request. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { status: number; response?: { data?: { message?: string } } },
  );
  expect(error, 'the request should have been refused').toBeDefined();
  return { status: error?.status ?? 0, message: error?.response?.data?.message ?? '' };
}

describe('GitHub fake: Deployments', () => {
  it('serves a valid deployment flow the way GitHub does', async () => {
    const first = await createDeployment({
      ref: sha,
      auto_merge: false,
      required_contexts: [],
      payload: { version: 'v1', slot: 'blue' },
      description: 'v1 to blue',
    });
    expect(first).toMatchObject({ sha, ref: sha, task: 'deploy', environment: 'production' });
    expect(first.payload).toEqual({ version: 'v1', slot: 'blue' });
    expect(first.production_environment).toBe(true);
    expect(first.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const success = await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: first.id,
      state: 'success',
      log_url: 'https://github.com/acme/shop/actions/runs/1',
      environment_url: 'https://shop.example',
      description: 'promoted',
    });
    expect(success.status).toBe(201);
    expect(success.headers.location).toBe(success.data.url);
    expect(success.data).toMatchObject({
      state: 'success',
      target_url: 'https://github.com/acme/shop/actions/runs/1',
    });

    const second = await createDeployment({
      ref: 'main',
      required_contexts: [],
      payload: JSON.stringify({ version: 'v2' }),
    });
    expect(second.id).toBeGreaterThan(first.id);
    expect(second.payload).toEqual({ version: 'v2' });
    await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: second.id,
      state: 'success',
    });

    // auto_inactive does not reach production ("prior non-transient, non-production environment
    // deployments"): both stay active until the client marks the superseded one itself.
    expect(fake.statuses(first.id).map((s) => s.state)).toEqual(['success']);
    await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: first.id,
      state: 'inactive',
    });
    expect(fake.statuses(first.id).map((s) => s.state)).toEqual(['inactive', 'success']);
    const list = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
      owner: 'acme',
      repo: 'shop',
      environment: 'production',
    });
    expect(list.data.map((d) => Number(d.id))).toEqual([second.id, first.id]);

    // Deleting the active deployment is refused while another exists; the inactive one can go.
    const refused = await refusal(
      octokit.request('DELETE /repos/{owner}/{repo}/deployments/{deployment_id}', {
        owner: 'acme',
        repo: 'shop',
        deployment_id: second.id,
      }),
    );
    expect(refused.status).toBe(422);
    expect(fake.takeViolations()).toHaveLength(1);
    await octokit.request('DELETE /repos/{owner}/{repo}/deployments/{deployment_id}', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: first.id,
    });
    expect(fake.deployments('acme', 'shop').map((d) => d.id)).toEqual([second.id]);
    fake.assertNoViolations();
  });

  it('applies auto_inactive only to earlier successful, non-transient, non-production deployments', async () => {
    const succeed = (id: number, fields: Record<string, unknown> = {}) =>
      octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner: 'acme',
        repo: 'shop',
        deployment_id: id,
        state: 'success',
        ...fields,
      });
    const staging = await createDeployment({ ref: sha, environment: 'staging', required_contexts: [] });
    expect(staging.production_environment).toBe(false);
    const failed = await createDeployment({ ref: sha, environment: 'staging', required_contexts: [] });
    const transient = await createDeployment({
      ref: sha,
      environment: 'staging',
      required_contexts: [],
      transient_environment: true,
    });
    const userFacing = await createDeployment({
      ref: sha,
      environment: 'staging',
      required_contexts: [],
      production_environment: true,
    });
    // Set up without auto_inactive, so that each earlier one is still as it was left.
    await succeed(staging.id, { auto_inactive: false });
    await succeed(failed.id, { state: 'failure' });
    await succeed(transient.id, { auto_inactive: false });
    await succeed(userFacing.id, { auto_inactive: false });
    const latest = await createDeployment({ ref: sha, environment: 'staging', required_contexts: [] });
    // auto_inactive: false leaves the earlier ones alone…
    await succeed(latest.id, { auto_inactive: false });
    expect(fake.statuses(staging.id).map((s) => s.state)).toEqual(['success']);
    // …and the default touches only the earlier successful staging deployment that is neither
    // transient nor marked as a production environment.
    await succeed(latest.id);
    expect(fake.statuses(staging.id).map((s) => s.state)).toEqual(['inactive', 'success']);
    expect(fake.statuses(failed.id).map((s) => s.state)).toEqual(['failure']);
    expect(fake.statuses(transient.id).map((s) => s.state)).toEqual(['success']);
    expect(fake.statuses(userFacing.id).map((s) => s.state)).toEqual(['success']);
    fake.assertNoViolations();
  });

  it('filters and paginates the list with a Link header', async () => {
    for (const environment of ['staging', 'production', 'staging', 'staging', 'staging']) {
      await createDeployment({ ref: sha, environment, required_contexts: [] });
    }
    const page1 = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
      owner: 'acme',
      repo: 'shop',
      environment: 'staging',
      per_page: 3,
    });
    expect(page1.data).toHaveLength(3);
    expect(page1.headers.link).toContain('rel="next"');
    const ids = page1.data.map((d) => Number(d.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const page2 = await octokit.request(`GET ${/<([^>]+)>; rel="next"/.exec(page1.headers.link ?? '')?.[1]}`);
    expect(page2.data.map((d: { environment: string }) => d.environment)).toEqual(['staging']);
    expect(page2.headers.link).not.toContain('rel="next"');
    fake.assertNoViolations();
  });

  it.each([
    [
      'a body where required_contexts is a string',
      { ref: sha, required_contexts: 'x' },
      /required_contexts must be array/,
    ],
    ['a body without ref', { environment: 'production' }, /missing required property "ref"/],
    ['a ref GitHub cannot resolve', { ref: 'registry.example/shop:v1' }, /No ref found/],
  ])('refuses %s with 422 and records it', async (_name, body, problem) => {
    const refused = await refusal(
      octokit.request('POST /repos/{owner}/{repo}/deployments', {
        owner: 'acme',
        repo: 'shop',
        ...body,
      } as never),
    );
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(problem);
    const violations = fake.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]?.problems.join()).toMatch(problem);
    expect(fake.deployments('acme', 'shop')).toEqual([]);
  });

  it('refuses a status with an unknown state or a description over 140 characters', async () => {
    const deployment = await createDeployment({ ref: sha, required_contexts: [] });
    const base = { owner: 'acme', repo: 'shop', deployment_id: deployment.id };
    const unknownState = await refusal(
      octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...base,
        state: 'done',
      } as never),
    );
    expect(unknownState).toMatchObject({
      status: 422,
      message: expect.stringMatching(/state must be one of/),
    });
    const long = await refusal(
      octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...base,
        state: 'failure',
        description: 'x'.repeat(141),
      }),
    );
    expect(long.status).toBe(422);
    expect(fake.takeViolations().map((v) => v.status)).toEqual([422, 422]);
    expect(fake.statuses(deployment.id)).toEqual([]);
  });

  it('records unknown routes, unknown repositories and malformed ids as 404 violations', async () => {
    const calls = [
      octokit.request('GET /repos/{owner}/{repo}/deployment', { owner: 'acme', repo: 'shop' }),
      octokit.request('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'other' }),
      octokit.request('GET /repos/acme/shop/deployments/not-a-number'),
      octokit.request('PATCH /repos/acme/shop/deployments/1'),
    ];
    for (const call of calls) expect((await refusal(call)).status).toBe(404);
    expect(fake.takeViolations().map((v) => v.problems.join())).toEqual([
      expect.stringMatching(/no documented operation serves GET \/repos\/acme\/shop\/deployment$/),
      expect.stringMatching(/repository acme\/other does not exist/),
      expect.stringMatching(/deployment_id must be integer/),
      expect.stringMatching(/PATCH is not an operation/),
    ]);
  });

  it('answers a body that is not JSON with 400, as GitHub does', async () => {
    const response = await fetch(`${fake.url}/repos/acme/shop/deployments`, {
      method: 'POST',
      headers: { authorization: `token ${fake.token}`, 'content-type': 'application/json' },
      body: '{"ref": "main",',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'Problems parsing JSON' });
    expect(fake.takeViolations().map((v) => v.status)).toEqual([400]);
  });

  it('serves but records an undocumented query parameter (GitHub ignores it; it is usually a typo)', async () => {
    const response = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
      owner: 'acme',
      repo: 'shop',
      enviroment: 'production',
    });
    expect(response.status).toBe(200);
    expect(fake.takeViolations()[0]?.problems.join()).toMatch(/"enviroment" is not documented/);
  });

  it('requires a token, answering 401 with GitHub’s error body', async () => {
    const anonymous = new Octokit({ baseUrl: fake.url });
    expect(await refusal(anonymous.request('GET /repos/acme/shop/deployments'))).toEqual({
      status: 401,
      message: 'Requires authentication',
    });
    const wrong = new Octokit({ auth: 'ghp_wrong', baseUrl: fake.url });
    expect(await refusal(wrong.request('GET /repos/acme/shop/deployments'))).toEqual({
      status: 401,
      message: 'Bad credentials',
    });
    expect(fake.takeViolations()).toHaveLength(2);
    const bearer = await fetch(`${fake.url}/repos/acme/shop/deployments`, {
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(bearer.status).toBe(200);
    fake.assertNoViolations();
  });

  it('injects failures that core’s client retries through', async () => {
    const client = await githubClient(fake.token, { baseUrl: fake.url });
    fake.failNext(502);
    const response = await client.rest.repos.createDeployment({
      owner: 'acme',
      repo: 'shop',
      ref: sha,
      required_contexts: [],
    });
    expect(response.status).toBe(201);
    expect(fake.requests.map((r) => r.status)).toEqual([502, 201]);
    expect(fake.requests[0]?.injected).toBe(true);
    expect(fake.deployments('acme', 'shop')).toHaveLength(1);
    fake.assertNoViolations();
  });

  it('fails assertNoViolations when the code under test swallowed a refusal', async () => {
    await octokit
      .request('POST /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'shop' } as never)
      .catch(() => undefined);
    expect(() => fake.assertNoViolations()).toThrow(/refused 1 request/);
    fake.takeViolations();
  });
});

describe('GitHub fake: response validation', () => {
  const deploymentSchema = () => {
    const schema = servedOperationSpecs().get('repos/get-deployment')?.responses['200']?.schema;
    expect(schema, 'GitHub documents the 200 response of get-deployment').toBeDefined();
    return schema as Record<string, unknown>;
  };

  it('accepts what the fake returns and catches a deployment GitHub would never return', async () => {
    const deployment = await createDeployment({ ref: sha, required_contexts: [] });
    const schema = deploymentSchema();
    expect(validateBody(schema, deployment, 'response')).toEqual([]);
    // OpenAPI 3.0 `nullable`: the description may be null, but not a number.
    expect(validateBody(schema, { ...deployment, description: null }, 'response')).toEqual([]);
    expect(validateBody(schema, { ...deployment, description: 5 }, 'response').join()).toMatch(/description/);
    const { node_id: _dropped, ...withoutNodeId } = deployment;
    expect(validateBody(schema, withoutNodeId, 'response')).toEqual([
      'response is missing required property "node_id"',
    ]);
    expect(validateBody(schema, { ...deployment, url: 'not a uri' }, 'response').join()).toMatch(
      /url must match format "uri"/,
    );
    fake.assertNoViolations();
  });
});
