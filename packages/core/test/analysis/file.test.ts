/**
 * Analysis files as the inputs read them: the file beneath the step inputs
 * (a given input wins, a default never does), and every refusal naming the
 * file, the line and the key — an unknown key, a wrong type, a literal
 * credential — without quoting the credential.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { withAnalysisFile } from '../../src/analysis/file.js';
import { analysisConfig, analysisFields } from '../../src/analysis/inputs.js';
import { readInputs } from '../../src/inputs/read.js';
import { resetSecretsForTest } from '../../src/secrets.js';
import { from, problemsOf } from './problems.js';

let workspace: string;
beforeEach(() => {
  resetSecretsForTest();
  workspace = mkdtempSync(path.join(tmpdir(), 'glidepath-analysis-file-'));
});

const write = (name: string, text: string) => {
  writeFileSync(path.join(workspace, name), text);
  return name;
};
const configOf = async (inputs: Record<string, string>) =>
  analysisConfig(
    await readInputs(analysisFields, await withAnalysisFile(from(inputs), analysisFields, workspace)),
    { slot: 'green', liveSlot: 'blue' },
  );
const expected = async (inputs: Record<string, string>) =>
  (await problemsOf(configOf(inputs))).map((p) => `${p.input}=${p.value}: ${p.expected}`);

const FILE = [
  '# The shop analysis, for every environment.',
  'url: http://127.0.0.1:9/healthz',
  'interval: 1s',
  'failure-threshold: 3',
  'on-no-data: pass',
  'providers:',
  '  alertmanager: { url: "http://127.0.0.1:9093" }',
  'queries:',
  '  - name: no pages',
  '    provider: alertmanager',
  '    query: service="shop",slot="{{slot}}"',
  '',
].join('\n');

describe('analysis-file', () => {
  it('sets the analysis; a given step input wins over it, the defaults fill the rest', async () => {
    const file = write('analysis.yml', FILE);
    const config = await configOf({ 'analysis-file': file, 'failure-threshold': '5' });
    expect(config.intervalMs).toBe(1000);
    expect(config.failureThreshold).toBe(5);
    expect(config.onNoData).toBe('pass');
    expect(config.onError).toBe('fail');
    expect(config.requestsPerInterval).toBe(5);
    expect(config.probes.map((p) => p.url.href)).toEqual(['http://127.0.0.1:9/healthz']);
    expect(config.queries[0]).toMatchObject({
      provider: 'alertmanager',
      query: 'service="shop",slot="green"',
    });
    // A step's queries replace the file's entirely (one block, one owner).
    const replaced = await configOf({
      'analysis-file': file,
      queries: '- { name: other, provider: alertmanager, query: \'team="shop"\' }',
    });
    expect(replaced.queries.map((q) => q.name)).toEqual(['other']);
  });

  it('refuses an unknown key, a wrong type and a step setting, each by file, line and key', async () => {
    const file = write(
      'bad.yml',
      ['url: http://127.0.0.1:9/', 'intervall: 1s', 'failure-threshold: many', 'steps: 10,100', ''].join(
        '\n',
      ),
    );
    expect(await expected({ 'analysis-file': file })).toEqual([
      expect.stringMatching(
        /^analysis-file=bad\.yml: bad\.yml:2: intervall: an unknown key \(the file takes url, checks, /,
      ),
      expect.stringMatching(/^analysis-file=bad\.yml: bad\.yml:3: failure-threshold: /),
      expect.stringMatching(/^analysis-file=bad\.yml: bad\.yml:4: steps: an unknown key/),
    ]);
  });

  it('points into a block: the line of the entry key that is wrong', async () => {
    const file = write(
      'queries.yml',
      [
        'providers:',
        '  alertmanager: { url: "http://127.0.0.1:9093" }',
        'queries:',
        '  - name: ok',
        '    provider: alertmanager',
        '    query: service="shop"',
        '  - name: wrong',
        '    provider: alertmanager',
        '    query: service="shop"',
        '    max: lots',
        '',
      ].join('\n'),
    );
    expect(await expected({ 'analysis-file': file })).toEqual([
      expect.stringMatching(/^analysis-file=queries\.yml: queries\.yml:10: queries\.2\.max: /),
    ]);
  });

  it('refuses a literal credential anywhere, by line, never quoting it', async () => {
    const file = write(
      'secret.yml',
      [
        'url: http://127.0.0.1:9/',
        'providers:',
        '  loki:',
        '    url: http://127.0.0.1:3100',
        '    token: lk-literal-planted-1234',
        '  web:',
        '    headers: { X-Api-Key: lk-literal-planted-5678 }',
        '',
      ].join('\n'),
    );
    const problems = await expected({ 'analysis-file': file });
    expect(problems).toEqual([
      expect.stringMatching(
        /^analysis-file=secret\.yml: secret\.yml:5: providers\.loki\.token: a credential written out in the file/,
      ),
      expect.stringMatching(
        /^analysis-file=secret\.yml: secret\.yml:7: providers\.web\.headers\.X-Api-Key: a credential written out/,
      ),
    ]);
    expect(problems.join('\n')).not.toContain('lk-literal-planted');
  });

  it('refuses a literal Authorization header and a URL with a password; a dimension named KeyId is data', async () => {
    const file = write(
      'headers.yml',
      [
        'checks:',
        '  - url: http://127.0.0.1:9/',
        '    headers: { Authorization: "Bearer lit-planted-42" }',
        'prometheus-url: https://reader:lit-planted-43@127.0.0.1:9090',
        'providers:',
        '  cloudwatch: { region: eu-west-1 }',
        'queries:',
        '  - name: kms',
        '    provider: cloudwatch',
        '    metrics: [{ id: calls, namespace: AWS/KMS, metric: Calls, stat: Sum, dimensions: { KeyId: abc-123 } }]',
        '    max: 100',
        '',
      ].join('\n'),
    );
    const problems = await expected({ 'analysis-file': file });
    expect(problems).toEqual([
      expect.stringMatching(
        /^analysis-file=headers\.yml: headers\.yml:3: checks\.1\.headers\.Authorization: a credential written out in the file/,
      ),
      expect.stringMatching(
        /^analysis-file=headers\.yml: headers\.yml:4: prometheus-url: a credential written out in a URL/,
      ),
    ]);
    expect(problems.join('\n')).not.toContain('lit-planted');
  });

  it('refuses a file that is not there, does not parse, or is not a mapping', async () => {
    expect(await expected({ 'analysis-file': 'missing.yml' })).toEqual([
      expect.stringMatching(/^analysis-file=missing\.yml: a readable YAML file in the repository \(ENOENT: /),
    ]);
    const broken = write('broken.yml', 'url: [unclosed\n');
    expect((await expected({ 'analysis-file': broken }))[0]).toMatch(
      /^analysis-file=broken\.yml: YAML that parses \(broken\.yml:\d+: /,
    );
    const list = write('list.yml', '- url: http://127.0.0.1:9/\n');
    expect(await expected({ 'analysis-file': list })).toEqual([
      'analysis-file=list.yml: a YAML mapping of analysis inputs (list.yml:1)',
    ]);
  });
});
