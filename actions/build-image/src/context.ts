import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type Field,
  type FieldResult,
  input,
  type RawInputs,
  readInputs,
  requireInputs,
} from '@glidepath/core';
import { type ImageName, isPlatform, parseImageName, TAG } from './reference.js';

export const CACHE_MODES = ['local', 'registry', 'gha', 'none'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];
export type BuilderName = 'docker' | 'buildah';

function imageName(): Field<ImageName> {
  return {
    parse: (raw): FieldResult<ImageName> => {
      const text = raw.trim();
      if (text === '')
        return { ok: false, expected: 'an image name such as ghcr.io/acme/service (required)' };
      const parsed = parseImageName(text);
      return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, expected: parsed.problem };
    },
  };
}

const tagItem = input.string({
  pattern: TAG,
  patternHint: 'a tag name: letters, digits, _ . -, at most 128, not starting with . or -',
});
const platformItem: Field<string> = {
  parse: (raw) =>
    isPlatform(raw.trim())
      ? { ok: true, value: raw.trim() }
      : { ok: false, expected: 'a platform os/arch[/variant] such as linux/amd64 or linux/arm/v7' },
};

/** Every input of the action, keyed by its `action.yml` name. */
export const fields = {
  image: imageName(),
  context: input.string({ default: '.' }),
  file: input.optionalString(),
  tags: input.list({ default: [], item: tagItem }),
  labels: input.keyValues({ default: new Map() }),
  'build-args': input.keyValues({ default: new Map(), keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/ }),
  platforms: input.list({ default: [], item: platformItem }),
  push: input.boolean({ default: true }),
  builder: input.oneOf(['auto', 'docker', 'buildah'] as const, { default: 'auto' }),
  cache: input.oneOf(CACHE_MODES, { default: 'local' }),
  'cache-dir': input.optionalString(),
  username: input.optionalString(),
  password: input.secret({ default: '' }),
  latest: input.oneOf(['auto', 'true', 'false'] as const, { default: 'auto' }),
  'default-branch': input.optionalString(),
  provenance: input.optionalString(),
  sbom: input.boolean({ default: false }),
  attest: input.boolean({ default: false }),
  'github-token': input.secret({ default: '' }),
};

export interface Settings {
  image: ImageName;
  context: string;
  /** Absolute path of the Dockerfile. */
  file: string;
  /** The Dockerfile as the user's repository names it (for annotations). */
  fileForAnnotations: string;
  extraTags: string[];
  labels: Map<string, string>;
  buildArgs: Map<string, string>;
  platforms: string[];
  push: boolean;
  builder: 'auto' | BuilderName;
  cache: CacheMode;
  cacheDir: string;
  credentials: { username: string; password: string } | undefined;
  latest: 'auto' | 'true' | 'false';
  defaultBranch: string | undefined;
  provenance: string | undefined;
  sbom: boolean;
  attest: boolean;
  githubToken: string | undefined;
}

/**
 * Reads and checks the inputs, including the rules that span several of them,
 * before anything is built or pushed.
 */
export async function readContext(
  raw?: RawInputs,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<Settings> {
  const inputs = await readInputs(fields, raw);
  const context = path.resolve(cwd, inputs.context);
  const file = inputs.file ? path.resolve(cwd, inputs.file) : path.join(context, 'Dockerfile');
  const workspace = env.GITHUB_WORKSPACE ?? cwd;
  const hasUser = Boolean(inputs.username);
  const hasPassword = inputs.password !== '';
  requireInputs([
    !isDirectory(context) && { input: 'context', value: inputs.context, expected: 'an existing directory' },
    !existsSync(file) && {
      input: 'file',
      value: inputs.file ?? path.relative(cwd, file),
      expected: 'an existing Dockerfile',
    },
    hasUser !== hasPassword && {
      input: hasUser ? 'password' : 'username',
      value: '',
      expected: 'both username and password to log in, or neither',
    },
    inputs.attest &&
      !inputs.push && {
        input: 'attest',
        value: 'true',
        expected: 'false when push is false (an attestation is made for a pushed digest)',
      },
  ]);
  const token = inputs['github-token'];
  return {
    image: inputs.image,
    context,
    file,
    fileForAnnotations: path.relative(workspace, file).split(path.sep).join('/'),
    extraTags: inputs.tags,
    labels: inputs.labels,
    buildArgs: inputs['build-args'],
    platforms: inputs.platforms,
    push: inputs.push,
    builder: inputs.builder,
    cache: inputs.cache,
    cacheDir: path.resolve(
      cwd,
      inputs['cache-dir'] ??
        path.join(env.RUNNER_TEMP ?? path.join(cwd, '.glidepath'), 'glidepath-build-cache'),
    ),
    credentials: hasUser ? { username: inputs.username!, password: inputs.password } : undefined,
    latest: inputs.latest,
    defaultBranch: inputs['default-branch'],
    provenance: inputs.provenance,
    sbom: inputs.sbom,
    attest: inputs.attest,
    // The runner expands `${{ github.token }}`; a literal expression means no token was given.
    githubToken: token && !token.startsWith('${{') ? token : undefined,
  };
}

/** Rules that depend on the builder, checked once `auto` has been resolved and still before building. */
export function checkBuilderSupport(settings: Settings, builder: BuilderName): void {
  const value = settings.builder === 'auto' ? `auto (resolved to ${builder})` : builder;
  requireInputs([
    builder === 'buildah' &&
      settings.cache === 'gha' && {
        input: 'cache',
        value: 'gha',
        expected: `local, registry or none: the gha backend is buildx's, and the builder is ${value}`,
      },
    builder === 'buildah' &&
      settings.provenance !== undefined && {
        input: 'provenance',
        value: settings.provenance,
        expected: `empty with builder ${value} (buildx attestation; use attest: true with buildah)`,
      },
    builder === 'buildah' &&
      settings.sbom && {
        input: 'sbom',
        value: 'true',
        expected: `false with builder ${value} (an SBOM attestation is a buildx feature)`,
      },
  ]);
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
