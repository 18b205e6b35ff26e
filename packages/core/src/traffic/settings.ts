import { existsSync } from 'node:fs';
import { splitCommand } from '../command-line.js';
import type { InputProblem } from '../errors.js';
import type { Field, FieldResult } from '../inputs/fields.js';
import * as input from '../inputs/fields.js';
import { type Parsed, requireInputs } from '../inputs/read.js';
import type { KubeconfigSource } from '../kubernetes/config.js';
import { registerKubeconfigSecrets } from '../secrets.js';
import { type ControlEndpoint, parseControlEndpoint } from './nginx-dynamic.js';
import { isNginxServerAddress } from './nginx-upstream.js';
import type { RouterKind, SlotName } from './router.js';

export const ROUTER_KINDS = [
  'nginx',
  'haproxy',
  'gateway-api',
  'ingress-nginx',
] as const satisfies readonly RouterKind[];

/** A Kubernetes Service that stands for a slot, with the port its route uses when one is given. */
export interface ServiceRef {
  name: string;
  port?: number;
}

interface Common {
  /** Slot names in the order the user listed them. */
  slotNames: [SlotName, SlotName];
}

interface NginxCommon extends Common {
  router: 'nginx';
  /** Slot → server address in the upstream block (`127.0.0.1:8081`, `app-blue:80`, `unix:/run/app.sock`). */
  slots: Map<SlotName, string>;
  /** reload: the upstream block; dynamic: the route declared in `glidepath.setup()`. */
  upstream: string;
}

/** `nginx-mode: reload`: the router rewrites an upstream file and reloads nginx gracefully. */
export interface NginxReloadSettings extends NginxCommon {
  mode: 'reload';
  upstreamFile: string;
  testCommand: string[];
  reloadCommand: string[];
  /** `nginx-command-timeout`: the bound of each test and reload. */
  commandTimeoutMs: number;
}

/** `nginx-mode: dynamic`: the router sets weights at run time through nginx/glidepath.lua's control endpoint. */
export interface NginxDynamicSettings extends NginxCommon {
  mode: 'dynamic';
  control: ControlEndpoint;
}

export type NginxSettings = NginxReloadSettings | NginxDynamicSettings;

export interface HaproxySettings extends Common {
  router: 'haproxy';
  /** Slot → server name inside the backend. */
  slots: Map<SlotName, string>;
  /** A unix socket path or `tcp://host:port`. */
  socket: string;
  backend: string;
}

export interface KubernetesSettings extends Common {
  router: 'gateway-api' | 'ingress-nginx';
  slots: Map<SlotName, ServiceRef>;
  /** Undefined: `KUBECONFIG`, `~/.kube/config`, or the in-cluster service account, in that order. */
  kubeconfig: KubeconfigSource | undefined;
  namespace: string;
  /** The HTTPRoute (gateway-api) or the canary Ingress (ingress-nginx). */
  route: string;
}

export type RouterSettings = NginxSettings | HaproxySettings | KubernetesSettings;

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });

/** A command line split into program and arguments, never run through a shell. */
function command(fallback: string): Field<string[]> {
  return {
    parse: (raw) => {
      const words = splitCommand(raw.trim() === '' ? fallback : raw);
      return words
        ? ok(words)
        : { ok: false, expected: 'a command such as "nginx -s reload" (quotes must be closed)' };
    },
  };
}

/** Looks like kubeconfig YAML or JSON rather than a path to a file. */
function isInlineKubeconfig(text: string): boolean {
  return (
    text.includes('\n') ||
    /^\s*\{/.test(text) ||
    /^\s*(apiVersion|kind|clusters|contexts|users|current-context)\s*:/.test(text)
  );
}

/**
 * A kubeconfig path or the kubeconfig itself. Inline content carries
 * credentials, so it is registered for masking as soon as it is read, and this
 * field never fails on content: a failed input is quoted in the error, and a
 * kubeconfig must never be quoted anywhere.
 */
function kubeconfig(): Field<KubeconfigSource | undefined> {
  return {
    parse: (raw) => {
      const text = raw.trim();
      if (text === '') return ok(undefined);
      if (isInlineKubeconfig(raw)) {
        registerKubeconfigSecrets(raw);
        return ok({ kind: 'inline', content: raw });
      }
      if (!existsSync(text))
        return {
          ok: false,
          expected: 'a path to an existing kubeconfig file, or the kubeconfig YAML itself',
        };
      return ok({ kind: 'path', path: text });
    },
  };
}

const DEFAULT_CONTROL = 'http://127.0.0.1:9901/glidepath';

/** nginx-mode dynamic: where nginx/glidepath.lua's control endpoint listens, loopback or a unix socket only. */
function controlEndpoint(): Field<ControlEndpoint> {
  return {
    parse: (raw) => {
      const endpoint = parseControlEndpoint(raw.trim() === '' ? DEFAULT_CONTROL : raw.trim());
      return endpoint
        ? ok(endpoint)
        : {
            ok: false,
            expected:
              'the control endpoint on this host: http://127.0.0.1:<port>/<path> (any 127.0.0.0/8 address, or [::1]) or unix:/path/to.sock — never a remote or named host',
          };
    },
  };
}

/**
 * HAProxy's rule for proxy (backend) and server names: "All proxy names must
 * be formed from upper and lower case letters, digits, '-' (dash), '_'
 * (underscore), '.' (dot) and ':' (colon)" — HAProxy Configuration Manual,
 * section 4 "Proxies" (docs.haproxy.org, configuration.txt; the same in
 * haproxy.com's "Configuration basics › Backends": "only upper or lowercase
 * letters, digits, dashes, underscores, dots, and colons"). HAProxy refuses
 * any other character in its configuration, so no real backend or server can
 * need one. The names go into admin-socket commands (`set server
 * <backend>/<server> weight N`, joined with "; "), where a `;`, a space or a
 * new line would start another command: they are checked against this rule
 * when the inputs are read.
 */
export const HAPROXY_NAME = /^[A-Za-z0-9_.:-]+$/;
const HAPROXY_NAME_HINT = 'letters, digits, "-", "_", "." and ":" only, as HAProxy names allow';

/** An HAProxy backend name, or empty. */
function haproxyName(what: string): Field<string | undefined> {
  return input.optional(
    input.string({ pattern: HAPROXY_NAME, patternHint: `${what} (${HAPROXY_NAME_HINT})` }),
  );
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The inputs every action that moves traffic declares, keyed by their
 * `action.yml` names. Spread them into an action's own fields, read them with
 * `readInputs`, then pass the result to `routerSettings`, which checks how they
 * fit together.
 */
export const routerFields = {
  router: input.oneOf(ROUTER_KINDS),
  slots: input.keyValues({ keyPattern: DNS_LABEL }),
  'nginx-mode': input.oneOf(['reload', 'dynamic'] as const, { default: 'reload' }),
  'nginx-control-url': controlEndpoint(),
  'nginx-upstream-file': input.optionalString(),
  'nginx-upstream': input.optionalString(),
  'nginx-test-command': command('nginx -t'),
  'nginx-reload-command': command('nginx -s reload'),
  'nginx-command-timeout': input.duration({ default: 30_000, min: 1000, max: 3_600_000 }),
  'haproxy-socket': input.optionalString(),
  'haproxy-backend': haproxyName('an HAProxy backend name'),
  kubeconfig: kubeconfig(),
  namespace: input.string({
    default: 'default',
    pattern: DNS_LABEL,
    patternHint: 'a Kubernetes namespace name (lower-case letters, digits and "-")',
  }),
  route: input.optionalString(),
} satisfies Record<string, Field<unknown>>;

export type RouterInputs = Parsed<typeof routerFields>;

/**
 * Checks how the router inputs fit together — the chosen router's own settings
 * present, exactly two slots, each slot's address in the form that router
 * understands — and returns them as typed settings. Every problem is reported
 * at once as an InputError naming the input, before anything is touched.
 */
export function routerSettings(inputs: RouterInputs): RouterSettings {
  const problems: Array<InputProblem | undefined> = [];
  const need = (name: keyof RouterInputs, value: unknown, expected: string) => {
    if (value === undefined) problems.push({ input: name, value: '', expected });
  };
  const slotsText = [...inputs.slots].map(([k, v]) => `${k}=${v}`).join('\n');
  const slotProblem = (expected: string) => problems.push({ input: 'slots', value: slotsText, expected });
  if (inputs.slots.size !== 2)
    slotProblem(
      `exactly two slots, one per line as name=address, such as blue=… and green=… (got ${inputs.slots.size})`,
    );
  const slotNames = [...inputs.slots.keys()] as [SlotName, SlotName];

  switch (inputs.router) {
    case 'nginx': {
      if (inputs['nginx-mode'] === 'reload')
        need(
          'nginx-upstream-file',
          inputs['nginx-upstream-file'],
          'the path of the file holding the upstream block (router is nginx)',
        );
      need(
        'nginx-upstream',
        inputs['nginx-upstream'],
        inputs['nginx-mode'] === 'reload'
          ? 'the name of the upstream block (router is nginx)'
          : 'the route declared in glidepath.setup() (router is nginx, nginx-mode is dynamic)',
      );
      for (const [slot, address] of inputs.slots)
        if (!isNginxServerAddress(address))
          slotProblem(
            `an nginx server address per slot: host:port, [v6]:port or unix:/absolute/path, with no spaces, ";", "{", "}", quotes or control characters ("${slot}=${address}" is not)`,
          );
      if (inputs['nginx-upstream'] !== undefined && !/^[A-Za-z0-9_.-]+$/.test(inputs['nginx-upstream']))
        problems.push({
          input: 'nginx-upstream',
          value: inputs['nginx-upstream'],
          expected: 'an upstream name (letters, digits, "_", "-", ".")',
        });
      break;
    }
    case 'haproxy': {
      need(
        'haproxy-socket',
        inputs['haproxy-socket'],
        'the admin socket: a unix socket path or tcp://host:port (router is haproxy)',
      );
      need(
        'haproxy-backend',
        inputs['haproxy-backend'],
        'the name of the HAProxy backend holding the slot servers (router is haproxy)',
      );
      const socket = inputs['haproxy-socket'];
      if (socket?.includes('://') && !/^tcp:\/\/[^\s/:]+:\d{1,5}$/.test(socket))
        problems.push({
          input: 'haproxy-socket',
          value: socket,
          expected: 'a unix socket path or tcp://host:port',
        });
      for (const [slot, server] of inputs.slots)
        if (!HAPROXY_NAME.test(server))
          slotProblem(`an HAProxy server name per slot, ${HAPROXY_NAME_HINT} ("${slot}=${server}" is not)`);
      break;
    }
    case 'gateway-api':
    case 'ingress-nginx': {
      need(
        'route',
        inputs.route,
        inputs.router === 'gateway-api'
          ? 'the name of the HTTPRoute to shift (router is gateway-api)'
          : 'the name of the canary Ingress (router is ingress-nginx)',
      );
      if (inputs.route !== undefined && !DNS_SUBDOMAIN.test(inputs.route))
        problems.push({ input: 'route', value: inputs.route, expected: 'a Kubernetes object name' });
      for (const [slot, service] of inputs.slots)
        if (!parseServiceRef(service))
          slotProblem(
            `a Kubernetes Service name per slot, optionally with :port ("${slot}=${service}" is not)`,
          );
      break;
    }
  }
  requireInputs(problems);

  const common = { slotNames };
  switch (inputs.router) {
    case 'nginx':
      return inputs['nginx-mode'] === 'dynamic'
        ? {
            ...common,
            router: 'nginx',
            mode: 'dynamic',
            slots: inputs.slots,
            upstream: inputs['nginx-upstream']!,
            control: inputs['nginx-control-url'],
          }
        : {
            ...common,
            router: 'nginx',
            mode: 'reload',
            slots: inputs.slots,
            upstreamFile: inputs['nginx-upstream-file']!,
            upstream: inputs['nginx-upstream']!,
            testCommand: inputs['nginx-test-command'],
            reloadCommand: inputs['nginx-reload-command'],
            commandTimeoutMs: inputs['nginx-command-timeout'],
          };
    case 'haproxy':
      return {
        ...common,
        router: 'haproxy',
        slots: inputs.slots,
        socket: inputs['haproxy-socket']!,
        backend: inputs['haproxy-backend']!,
      };
    default:
      return {
        ...common,
        router: inputs.router,
        slots: new Map([...inputs.slots].map(([slot, text]) => [slot, parseServiceRef(text)!])),
        kubeconfig: inputs.kubeconfig,
        namespace: inputs.namespace,
        route: inputs.route!,
      };
  }
}

/** `app-blue` or `app-blue:8080`. */
export function parseServiceRef(text: string): ServiceRef | undefined {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?::(\d{1,5}))?$/.exec(text);
  if (!match || match[1]!.length > 63) return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return port === undefined ? { name: match[1]! } : { name: match[1]!, port };
}
