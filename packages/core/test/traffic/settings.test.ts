import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readInputs } from '../../src/inputs/index.js';
import { redact, resetSecretsForTest } from '../../src/secrets.js';
import {
  createRouter,
  HaproxyRouter,
  NginxDynamicRouter,
  NginxRouter,
  routerFields,
  routerSettings,
  toPercents,
  weightsProblem,
} from '../../src/traffic/index.js';

async function settingsOf(inputs: Record<string, string>) {
  return routerSettings(await readInputs(routerFields, (name) => inputs[name] ?? ''));
}

async function problemsOf(inputs: Record<string, string>) {
  const error = await settingsOf(inputs).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems;
}

describe('router inputs', () => {
  it('turns nginx inputs into settings, splitting the commands without a shell', async () => {
    const settings = await settingsOf({
      router: 'nginx',
      slots: 'blue=127.0.0.1:8081\ngreen=127.0.0.1:8082',
      'nginx-upstream-file': '/etc/nginx/app-upstream.conf',
      'nginx-upstream': 'app',
      'nginx-test-command': `nginx -t -c "/etc/my nginx/nginx.conf" -g 'pid /run/a b.pid;'`,
    });
    expect(settings).toEqual({
      router: 'nginx',
      slotNames: ['blue', 'green'],
      slots: new Map([
        ['blue', '127.0.0.1:8081'],
        ['green', '127.0.0.1:8082'],
      ]),
      mode: 'reload',
      upstreamFile: '/etc/nginx/app-upstream.conf',
      upstream: 'app',
      testCommand: ['nginx', '-t', '-c', '/etc/my nginx/nginx.conf', '-g', 'pid /run/a b.pid;'],
      reloadCommand: ['nginx', '-s', 'reload'],
      commandTimeoutMs: 30_000,
    });
    expect(await createRouter(settings)).toBeInstanceOf(NginxRouter);
  });

  it('turns nginx-mode dynamic into a loopback control endpoint, and needs no upstream file or commands', async () => {
    const slots = 'blue=127.0.0.1:8081\ngreen=127.0.0.1:8082';
    const settings = await settingsOf({
      router: 'nginx',
      slots,
      'nginx-mode': 'dynamic',
      'nginx-upstream': 'app',
    });
    expect(settings).toEqual({
      router: 'nginx',
      mode: 'dynamic',
      slotNames: ['blue', 'green'],
      slots: new Map([
        ['blue', '127.0.0.1:8081'],
        ['green', '127.0.0.1:8082'],
      ]),
      upstream: 'app',
      control: { kind: 'tcp', host: '127.0.0.1', port: 9901, path: '/glidepath' },
    });
    const router = await createRouter(settings);
    expect(router).toBeInstanceOf(NginxDynamicRouter);
    expect(router.describe()).toBe('nginx route "app" via http://127.0.0.1:9901/glidepath');

    const socket = await settingsOf({
      router: 'nginx',
      slots,
      'nginx-mode': 'dynamic',
      'nginx-upstream': 'app',
      'nginx-control-url': 'unix:/run/nginx/glidepath.sock',
    });
    expect(socket).toMatchObject({ control: { kind: 'unix', socket: '/run/nginx/glidepath.sock' } });

    const remote = await problemsOf({
      router: 'nginx',
      slots,
      'nginx-mode': 'dynamic',
      'nginx-upstream': 'app',
      'nginx-control-url': 'http://10.1.2.3:9901/glidepath',
    });
    expect(remote).toEqual([
      expect.objectContaining({
        input: 'nginx-control-url',
        value: 'http://10.1.2.3:9901/glidepath',
        expected: expect.stringContaining('never a remote or named host'),
      }),
    ]);
    expect(await problemsOf({ router: 'nginx', slots, 'nginx-mode': 'dynamic' })).toEqual([
      {
        input: 'nginx-upstream',
        value: '',
        expected: 'the route declared in glidepath.setup() (router is nginx, nginx-mode is dynamic)',
      },
    ]);
    expect(
      await problemsOf({ router: 'nginx', slots, 'nginx-mode': 'lua', 'nginx-upstream': 'app' }),
    ).toEqual([
      expect.objectContaining({ input: 'nginx-mode', value: 'lua', expected: 'one of "reload", "dynamic"' }),
    ]);
  });

  it('names each missing setting of the chosen router, before touching anything', async () => {
    expect(await problemsOf({ router: 'nginx', slots: 'blue=127.0.0.1:1\ngreen=127.0.0.1:2' })).toEqual([
      {
        input: 'nginx-upstream-file',
        value: '',
        expected: 'the path of the file holding the upstream block (router is nginx)',
      },
      { input: 'nginx-upstream', value: '', expected: 'the name of the upstream block (router is nginx)' },
    ]);
    const haproxy = await problemsOf({ router: 'haproxy', slots: 'blue=app-blue\ngreen=app-green' });
    expect(haproxy.map((p) => p.input)).toEqual(['haproxy-socket', 'haproxy-backend']);
    const k8s = await problemsOf({ router: 'gateway-api', slots: 'blue=app-blue\ngreen=app-green' });
    expect(k8s).toEqual([
      { input: 'route', value: '', expected: 'the name of the HTTPRoute to shift (router is gateway-api)' },
    ]);
  });

  it('wants exactly two slots, each with an address the router understands', async () => {
    const three = await problemsOf({
      router: 'haproxy',
      slots: 'blue=a\ngreen=b\nred=c',
      'haproxy-socket': '/run/haproxy/admin.sock',
      'haproxy-backend': 'app',
    });
    expect(three[0]!.input).toBe('slots');
    expect(three[0]!.expected).toContain('exactly two slots');
    const nginx = await problemsOf({
      router: 'nginx',
      slots: 'blue=127.0.0.1:8081\ngreen=http://127.0.0.1:8082',
      'nginx-upstream-file': '/x',
      'nginx-upstream': 'app',
    });
    expect(nginx[0]!.expected).toContain('"green=http://127.0.0.1:8082" is not');
    const service = await problemsOf({
      router: 'ingress-nginx',
      slots: 'blue=App_Blue\ngreen=app-green:99999',
      route: 'c',
    });
    expect(service.map((p) => p.expected.match(/"([^"]+)" is not/)?.[1])).toEqual([
      'blue=App_Blue',
      'green=app-green:99999',
    ]);
  });

  it('bounds each nginx test and reload by nginx-command-timeout, which is itself bounded', async () => {
    const base = {
      router: 'nginx',
      slots: 'blue=127.0.0.1:8081\ngreen=127.0.0.1:8082',
      'nginx-upstream-file': '/x',
      'nginx-upstream': 'app',
    };
    const settings = await settingsOf({ ...base, 'nginx-command-timeout': '2m' });
    expect(settings).toMatchObject({ commandTimeoutMs: 120_000 });
    const [tooLong] = await problemsOf({ ...base, 'nginx-command-timeout': '2h' });
    expect(tooLong).toMatchObject({ input: 'nginx-command-timeout', value: '2h' });
    expect(tooLong!.expected).toContain('1h');
  });

  it('checks the HAProxy socket form and a command with an open quote', async () => {
    const problems = await problemsOf({
      router: 'haproxy',
      slots: 'blue=a\ngreen=b',
      'haproxy-socket': 'http://127.0.0.1:9999',
      'haproxy-backend': 'app',
    });
    expect(problems).toEqual([
      {
        input: 'haproxy-socket',
        value: 'http://127.0.0.1:9999',
        expected: 'a unix socket path or tcp://host:port',
      },
    ]);
    const error = await readInputs(
      routerFields,
      (name) =>
        ({ router: 'nginx', slots: 'a=b:1\nc=d:2', 'nginx-reload-command': 'nginx -s "reload' })[name] ?? '',
    ).catch((e: unknown) => e);
    expect((error as InputError).problems[0]!.input).toBe('nginx-reload-command');
    const ok = await settingsOf({
      router: 'haproxy',
      slots: 'blue=a\ngreen=b',
      'haproxy-socket': 'tcp://127.0.0.1:9999',
      'haproxy-backend': 'app',
    });
    expect(await createRouter(ok)).toBeInstanceOf(HaproxyRouter);
  });

  describe('HAProxy names go into admin-socket commands: only the characters HAProxy allows', () => {
    const haproxy = (extra: Record<string, string>) => ({
      router: 'haproxy',
      slots: 'blue=app-blue\ngreen=app-green',
      'haproxy-socket': '/run/haproxy/admin.sock',
      'haproxy-backend': 'app',
      ...extra,
    });

    it.each([
      'app;disable server app/blue',
      'app; shutdown sessions server app/blue',
      'app/blue',
      'app blue',
      'app\tblue',
      'app#x',
      'äpp',
    ])('refuses the backend %j, naming haproxy-backend', async (backend) => {
      const problems = await problemsOf(haproxy({ 'haproxy-backend': backend }));
      expect(problems).toEqual([
        {
          input: 'haproxy-backend',
          value: backend,
          expected:
            'an HAProxy backend name (letters, digits, "-", "_", "." and ":" only, as HAProxy names allow)',
        },
      ]);
    });

    it('refuses a new line in the backend (a second command on the socket)', async () => {
      const problems = await problemsOf(haproxy({ 'haproxy-backend': 'app\nshutdown frontend web' }));
      expect(problems.map((p) => p.input)).toEqual(['haproxy-backend']);
    });

    it.each(['b1;shutdown frontend web', 'b1 weight 100', 'b1/x'])(
      'refuses the slot server name %j, naming slots',
      async (server) => {
        const problems = await problemsOf(haproxy({ slots: `blue=${server}\ngreen=g1` }));
        expect(problems.map((p) => p.input)).toEqual(['slots']);
        expect(problems[0]!.expected).toContain(`"blue=${server}" is not`);
      },
    );

    it('accepts every character HAProxy allows', async () => {
      const settings = await settingsOf(
        haproxy({ 'haproxy-backend': 'Shop_v2-blue.green:1', slots: 'blue=S_1.a:b-c\ngreen=g2' }),
      );
      expect(settings).toMatchObject({ backend: 'Shop_v2-blue.green:1' });
    });
  });

  describe('nginx slot addresses are written after "server": nothing nginx reads as syntax', () => {
    const nginx = (blue: string) => ({
      router: 'nginx',
      slots: `blue=${blue}\ngreen=127.0.0.1:8082`,
      'nginx-upstream-file': '/etc/nginx/app-upstream.conf',
      'nginx-upstream': 'app',
    });

    it.each([
      'unix:/x;}',
      'unix:/run/app.sock; server 10.0.0.9:80',
      'unix:/run/a{b}',
      'unix:/run/"app".sock',
      "unix:/run/'app'.sock",
      'unix:/run/a\\;b',
      'unix:/run/a\u0001b',
      'unix:relative.sock',
      'unix:/',
      '127.0.0.1:8081;',
      '127.0.0.1:99999',
      '127.0.0.1:0',
      'app blue:80',
      '[::1;]:80',
    ])('refuses %j, naming slots and the slot', async (address) => {
      const problems = await problemsOf(nginx(address));
      expect(problems.map((p) => p.input)).toEqual(['slots']);
      expect(problems[0]!.expected).toContain(`"blue=${address}" is not`);
    });

    it.each([
      '127.0.0.1:8081',
      '127.0.0.1',
      'app-blue:80',
      'app_blue.internal:8080',
      '[::1]:8081',
      '[2001:db8::1]',
      'unix:/run/app.sock',
      'unix:/run/app/blue-1.sock',
    ])('accepts %j', async (address) => {
      const settings = await settingsOf(nginx(address));
      expect(settings.slots.get('blue')).toBe(address);
    });
  });

  it('refuses a kubeconfig path that does not exist without quoting inline content anywhere', async () => {
    const problems = await problemsOf({
      router: 'gateway-api',
      slots: 'a=x\nb=y',
      route: 'r',
      kubeconfig: '/nope/config',
    });
    expect(problems).toEqual([
      {
        input: 'kubeconfig',
        value: '/nope/config',
        expected: 'a path to an existing kubeconfig file, or the kubeconfig YAML itself',
      },
    ]);
  });
});

describe('inline kubeconfig', () => {
  it('masks the credentials in it as soon as it is read, YAML or JSON', async () => {
    resetSecretsForTest();
    const json = '{"apiVersion":"v1","users":[{"name":"u","user":{"token":"s3cr3t-json-token"}}]}';
    const parsed = await readInputs(routerFields, (name) =>
      name === 'kubeconfig' ? json : name === 'router' ? 'gateway-api' : name === 'slots' ? 'a=x\nb=y' : '',
    );
    expect(parsed.kubeconfig).toEqual({ kind: 'inline', content: json });
    expect(redact('Authorization: Bearer s3cr3t-json-token')).toBe('Authorization: Bearer ***');
    const yaml = 'apiVersion: v1\nusers:\n  - name: u\n    user:\n      password: "hunter2-yaml"\n';
    await readInputs(routerFields, (name) =>
      name === 'kubeconfig' ? yaml : name === 'router' ? 'gateway-api' : name === 'slots' ? 'a=x\nb=y' : '',
    );
    expect(redact('password hunter2-yaml')).toBe('password ***');
    expect(redact('apiVersion: v1')).toBe('apiVersion: v1');
  });
});

describe('weights', () => {
  it('says what is wrong with a set of weights', () => {
    expect(weightsProblem({ blue: 10, green: 90 }, ['blue', 'green'])).toBeUndefined();
    expect(weightsProblem({ blue: 10, green: 80 }, ['blue', 'green'])).toBe(
      'weights summing to 100 (they sum to 90)',
    );
    expect(weightsProblem({ blue: 10.5, green: 89.5 }, ['blue', 'green'])).toContain('whole percents');
    expect(weightsProblem({ blue: 100 }, ['blue', 'green'])).toBe(
      'a weight for every slot (none for "green")',
    );
    expect(weightsProblem({ blue: 50, green: 50, red: 0 }, ['blue', 'green'])).toContain(
      '"red" is not a slot',
    );
  });

  it('turns relative weights into whole percents that sum to 100', () => {
    expect(
      toPercents(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toEqual({ a: 33, b: 67 });
    expect(
      toPercents(
        new Map([
          ['a', 3],
          ['b', 1],
        ]),
      ),
    ).toEqual({ a: 75, b: 25 });
    expect(
      toPercents(
        new Map([
          ['a', 0],
          ['b', 7],
        ]),
      ),
    ).toEqual({ a: 0, b: 100 });
    expect(
      toPercents(
        new Map([
          ['a', 0],
          ['b', 0],
        ]),
      ),
    ).toEqual({ a: 0, b: 0 });
  });
});

describe('cold start', () => {
  it('never imports the Kubernetes client statically from the built core', () => {
    const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files).toContain(path.join('traffic', 'gateway-api.js'));
    const offenders = files.filter((f) =>
      /^\s*import\s[^;(]*from\s*['"]@kubernetes\/client-node['"]/m.test(
        readFileSync(path.join(dist, f), 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
