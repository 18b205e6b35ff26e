/**
 * Image names and tags as the OCI distribution specification's reference
 * grammar defines them (the grammar `docker/distribution/reference` implements):
 *
 *   name      := [domain '/'] path-component ('/' path-component)*
 *   domain    := host [':' port]
 *   path-comp := [a-z0-9]+ (([._] | '__' | '-'+) [a-z0-9]+)*
 *   tag       := [\w][\w.-]{0,127}
 *
 * The first component is a registry host when it holds a `.` or a `:`, or is
 * `localhost` — the rule every container tool uses to tell `acme/app` (a
 * Docker Hub path) from `ghcr.io/acme/app`.
 */

export interface ImageName {
  /** The name as the user wrote it (what tags are appended to). */
  name: string;
  /** Registry host[:port]; `docker.io` when the name has none. */
  registry: string;
  /** Repository path inside the registry. */
  repository: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
export const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME = 255;

/** Parses an image name, or says in words what is wrong with it. */
export function parseImageName(
  text: string,
): { ok: true; value: ImageName } | { ok: false; problem: string } {
  if (text.includes('@')) return { ok: false, problem: 'a name without a digest (the digest is an output)' };
  const parts = text.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!validHost(first)) return { ok: false, problem: `a registry host[:port] ("${first}" is not one)` };
    registry = first;
    parts.shift();
  }
  const last = parts[parts.length - 1] ?? '';
  if (last.includes(':'))
    return { ok: false, problem: 'a name without a tag (tags come from the git context and `tags`)' };
  for (const component of parts) {
    if (!PATH_COMPONENT.test(component)) {
      const hint = component !== component.toLowerCase() ? ' (repository names are lower-case)' : '';
      return {
        ok: false,
        problem: `an image name of lower-case path components such as ghcr.io/acme/service${hint}`,
      };
    }
  }
  const repository = parts.join('/');
  if (text.length > MAX_NAME)
    return { ok: false, problem: `an image name of at most ${MAX_NAME} characters` };
  return { ok: true, value: { name: text, registry, repository } };
}

function validHost(hostPort: string): boolean {
  const [host, port, ...rest] = hostPort.split(':');
  if (rest.length || !host) return false;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return false;
  return host.split('.').every((c) => HOST_COMPONENT.test(c));
}

/**
 * Turns any text into a valid tag the way docker/metadata-action does for a
 * branch name: characters a tag cannot hold become `-`, a leading `.` or `-`
 * is dropped, and the result is cut to 128 characters. A name with nothing
 * left (`ü/ö`) gives the empty string: no tag rather than an invalid one.
 */
export function sanitizeTag(text: string): string {
  return text
    .replace(/[^\w.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

/** Known `GOOS`/`GOARCH` values a registry manifest list can carry. */
const OSES = ['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix'];
const ARCHES = [
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  'ppc64',
  's390x',
  'riscv64',
  'mips64le',
  'mips64',
  'mipsle',
  'mips',
  'loong64',
  'wasm',
];
const VARIANT = /^v[1-9]$/;

/** `linux/amd64`, `linux/arm/v7`: the `os/arch[/variant]` form buildx and buildah take. */
export function isPlatform(text: string): boolean {
  const [os, arch, variant, ...rest] = text.split('/');
  if (rest.length || !os || !arch) return false;
  if (!OSES.includes(os) || !ARCHES.includes(arch)) return false;
  return variant === undefined || VARIANT.test(variant);
}
