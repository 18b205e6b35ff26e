/**
 * The CloudWatch provider through the official `@aws-sdk/client-cloudwatch`
 * against the CloudWatch fake (which re-signs every request with Smithy's
 * SigV4 signer and answers newest first, paged, throttled when told). The
 * credentials come the SDK's standard way, from the AWS_* environment.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudWatchFake, startCloudWatchFake } from '../../../../test/fakes/cloudwatch/index.js';
import type { HttpOptions, QueryCheck } from '../../src/analysis/config.js';
import { analysisConfig, analysisFields } from '../../src/analysis/inputs.js';
import { cloudwatchProvider } from '../../src/analysis/providers/cloudwatch.js';
import { measure } from '../../src/analysis/sources/query.js';
import { readInputs } from '../../src/inputs/read.js';
import { resetSecretsForTest } from '../../src/secrets.js';
import { from } from './problems.js';

const http: HttpOptions = { timeoutMs: 5000, followRedirects: false, insecureTls: false };
let fake: CloudWatchFake;
const saved: Record<string, string | undefined> = {};
const VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_PROFILE',
];

beforeAll(async () => {
  fake = await startCloudWatchFake({ region: 'eu-west-1', pageSize: 3 });
  for (const name of VARIABLES) saved[name] = process.env[name];
  // Only the environment: no instance metadata (not loopback), no shared files.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const now = Date.now();
  const minute = (n: number) => Math.floor(now / 60_000) * 60_000 - n * 60_000;
  const dims = (slot: string) => ({ TargetGroup: `targetgroup/shop-${slot}/0123` });
  for (const [slot, errors] of [
    ['green', 20],
    ['blue', 1],
  ] as const) {
    fake.setDatapoints(
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_Target_5XX_Count',
        dimensions: dims(slot),
        stat: 'Sum',
      },
      [1, 2, 3, 4].map((n) => ({ at: minute(n), value: errors })),
    );
    fake.setDatapoints(
      { namespace: 'AWS/ApplicationELB', metric: 'RequestCount', dimensions: dims(slot), stat: 'Sum' },
      [1, 2, 3, 4].map((n) => ({ at: minute(n), value: 100 })),
    );
  }
  // The newest minute differs from the rest: the newest datapoint must be the value.
  fake.setDatapoints({ namespace: 'Shop', metric: 'QueueDepth', stat: 'Maximum' }, [
    { at: minute(1), value: 42 },
    { at: minute(2), value: 7 },
    { at: minute(3), value: 5 },
    { at: minute(4), value: 3 },
  ]);
});

afterAll(async () => {
  for (const name of VARIABLES)
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  await fake?.stop();
});

beforeEach(() => {
  resetSecretsForTest();
  process.env.AWS_ACCESS_KEY_ID = fake.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = fake.secretAccessKey;
});
afterEach(() => {
  expect(fake.takeViolations()).toEqual([]);
});

/** A QueryCheck as the inputs make it: the `queries` entry read and expanded for green against blue. */
async function checkOf(entry: string): Promise<QueryCheck> {
  const config = analysisConfig(
    await readInputs(
      analysisFields,
      from({
        queries: entry,
        providers: `cloudwatch: { region: eu-west-1, endpoint: "${fake.url}" }`,
      }),
    ),
    { slot: 'green', liveSlot: 'blue' },
  );
  return config.queries[0]!;
}

const provider = () => cloudwatchProvider({ region: 'eu-west-1', endpoint: new URL(fake.url) }, http);
const run = async (check: QueryCheck) => measure(check, provider(), 0, { deadline: Date.now() + 20_000 });

const ratio = (compare = '') =>
  [
    '- name: 5xx ratio',
    '  provider: cloudwatch',
    '  metrics:',
    '    - { id: errors, namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count, stat: Sum, dimensions: { TargetGroup: "targetgroup/shop-{{slot}}/0123" } }',
    '    - { id: requests, namespace: AWS/ApplicationELB, metric: RequestCount, stat: Sum, dimensions: { TargetGroup: "targetgroup/shop-{{slot}}/0123" } }',
    '    - { id: ratio, expression: errors / requests }',
    compare,
  ]
    .filter(Boolean)
    .join('\n');

describe('CloudWatch GetMetricData', () => {
  it('metric math over two metrics of the slot: out of bounds → fail naming the provider, query and value', async () => {
    const check = await checkOf(`${ratio()}\n  max: 0.05`);
    expect(check).toMatchObject({ provider: 'cloudwatch', intervalMs: 60_000, lookbackMs: 300_000 });
    const m = await run(check);
    expect(m.outcome).toBe('fail');
    expect(m.failure).toBe('query "5xx ratio" (cloudwatch) = 0.2, over max 0.05');
    // One request per page: the fake pages 3 datapoints at a time, the provider followed NextToken.
    const sent = fake.requests.at(-1)!;
    expect(sent.NextToken).toBeDefined();
    const queries = sent.MetricDataQueries as Array<{ Id: string; ReturnData: boolean }>;
    expect(queries.map((q) => [q.Id, q.ReturnData])).toEqual([
      ['errors', false],
      ['requests', false],
      ['ratio', true],
    ]);
    expect(Number(sent.EndTime) - Number(sent.StartTime)).toBe(300);
  });

  it('compare: live — green worse than blue fails, within tolerance passes', async () => {
    const worse = await run(await checkOf(`${ratio('  compare: live')}\n  max-increase: 0.05`));
    expect(worse.outcome).toBe('fail');
    expect(worse.failure).toBe(
      'query "5xx ratio" (cloudwatch) = 0.2 on green vs 0.01 on blue (live): +0.19, over max-increase 0.05',
    );
    const tolerated = await run(await checkOf(`${ratio('  compare: live')}\n  max-increase: 0.5`));
    expect(tolerated.outcome).toBe('pass');
  });

  it('the newest datapoint is the value, whatever order the answer has', async () => {
    const m = await run(
      await checkOf(
        '- { name: depth, provider: cloudwatch, metrics: [{ id: depth, namespace: Shop, metric: QueueDepth, stat: Maximum }], max: 50 }',
      ),
    );
    expect(m).toMatchObject({ outcome: 'pass', values: [{ labels: {}, value: 42 }] });
  });

  it('no datapoints in the window is no data, not an error', async () => {
    const m = await run(
      await checkOf(
        '- { name: nothing, provider: cloudwatch, metrics: [{ id: n, namespace: Shop, metric: Missing, stat: Sum }], max: 1 }',
      ),
    );
    expect(m.outcome).toBe('no-data');
  });

  it('rides out throttling with the SDK backoff, and errors with the service words when it keeps on', async () => {
    const check = await checkOf(`${ratio()}\n  max: 0.5`);
    fake.throttleNext(1);
    expect((await run(check)).outcome).toBe('pass');
    fake.throttleNext(10);
    const m = await run(check);
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(
      /^query "5xx ratio" on CloudWatch 127\.0\.0\.1:\d+: answered 400 Throttling: Rate exceeded$/,
    );
    fake.throttleNext(0);
  });

  it('errors when the secret key is wrong, and never shows it', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong-secret-planted-77aa';
    const m = await run(await checkOf(`${ratio()}\n  max: 0.5`));
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(/answered 403 SignatureDoesNotMatch: The request signature we calculated/);
    expect(JSON.stringify(m)).not.toContain('wrong-secret-planted-77aa');
    expect(JSON.stringify(m)).not.toContain(fake.secretAccessKey);
  });

  it('says how to provide credentials when the chain finds none', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const m = await run(await checkOf(`${ratio()}\n  max: 0.5`));
    expect(m.outcome).toBe('error');
    expect(m.failure).toMatch(/found no AWS credentials .*aws-actions\/configure-aws-credentials/);
  });

  it('refuses a bad id, an entry that is both a metric and an expression, and keys of another provider', async () => {
    const refused = async (entry: string) =>
      String(
        await checkOf(entry).then(
          () => 'accepted',
          (error: Error) => error.message,
        ),
      );
    expect(
      await refused('- { name: a, provider: cloudwatch, metrics: [{ id: Bad, expression: "1" }], max: 1 }'),
    ).toMatch(/expected an id starting with a lower-case letter/);
    expect(
      await refused(
        '- { name: a, provider: cloudwatch, metrics: [{ id: a, expression: "1", namespace: N, metric: M, stat: Sum }], max: 1 }',
      ),
    ).toMatch(/either "expression" \(metric math\) or "namespace", "metric" and "stat", not both/);
    expect(await refused('- { name: a, query: up, metrics: [{ id: a, expression: "1" }], max: 1 }')).toMatch(
      /"metrics" belongs to a cloudwatch query/,
    );
  });
});
