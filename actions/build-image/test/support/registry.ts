/**
 * Test helpers around real OCI registries on loopback: reading what a registry
 * holds through the distribution HTTP API, and starting a second, password
 * protected docker-registry (htpasswd with bcrypt, from apache2-utils) that
 * buildah reaches over plain HTTP through a registries.conf drop-in.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, requireProgram } from '../../../../test/support/services.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryClient {
  host: string;
  authorization?: string;
}

/** `GET /v2/<name>/manifests/<reference>`: the digest the registry serves for a tag, and the manifest. */
export async function getManifest(
  registry: RegistryClient,
  repository: string,
  reference: string,
): Promise<{
  status: number;
  digest: string | null;
  mediaType: string | null;
  body: Record<string, unknown>;
}> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_ACCEPT, ...authHeader(registry) },
  });
  const text = await response.text();
  return {
    status: response.status,
    digest: response.headers.get('docker-content-digest'),
    mediaType: response.headers.get('content-type'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** The image configuration blob a manifest points at (where labels live). */
export async function getConfig(
  registry: RegistryClient,
  repository: string,
  manifest: Record<string, unknown>,
): Promise<{ config?: { Labels?: Record<string, string> }; architecture?: string }> {
  const config = manifest.config as { digest: string };
  const response = await fetch(`http://${registry.host}/v2/${repository}/blobs/${config.digest}`, {
    headers: authHeader(registry),
  });
  if (!response.ok) throw new Error(`config blob ${config.digest}: HTTP ${response.status}`);
  return (await response.json()) as { config?: { Labels?: Record<string, string> }; architecture?: string };
}

export async function listTags(registry: RegistryClient, repository: string): Promise<string[] | null> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/tags/list`, {
    headers: authHeader(registry),
  });
  if (response.status === 404) return null;
  const body = (await response.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}

function authHeader(registry: RegistryClient): Record<string, string> {
  return registry.authorization ? { Authorization: registry.authorization } : {};
}

export interface AuthRegistry extends RegistryClient {
  username: string;
  password: string;
  stop(): Promise<void>;
}

/** A docker-registry requiring basic authentication, on a free loopback port, declared insecure for buildah. */
export async function startAuthRegistry(username: string, password: string): Promise<AuthRegistry> {
  const registryBinary = requireProgram('docker-registry', 'docker-registry');
  const htpasswd = requireProgram('htpasswd', 'apache2-utils');
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-auth-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // bcrypt is the only hash docker-registry's htpasswd accepts.
  writeFileSync(
    path.join(dir, 'htpasswd'),
    execFileSync(htpasswd, ['-nbB', username, password], { encoding: 'utf8' }).trim(),
  );
  writeFileSync(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${dir}/data`,
      'http:',
      `  addr: ${host}`,
      'auth:',
      '  htpasswd:',
      '    realm: glidepath-test',
      `    path: ${dir}/htpasswd`,
      '',
    ].join('\n'),
  );
  // The standard way to let containers tools speak plain HTTP to one registry: a registries.conf drop-in.
  const dropIn = `/etc/containers/registries.conf.d/60-glidepath-test-${port}.conf`;
  writeFileSync(dropIn, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  const child: ChildProcess = spawn(registryBinary, ['serve', path.join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const response = await fetch(`http://${host}/v2/`);
      if (response.status === 401) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the htpasswd registry did not start on ${host}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    username,
    password,
    authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    async stop() {
      rmSync(dropIn, { force: true });
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
