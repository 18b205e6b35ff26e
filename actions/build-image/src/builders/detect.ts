import type { BuilderName } from '../context.js';
import type { Exec } from './types.js';

/**
 * `auto`: docker buildx when a Docker engine answers (GitHub's Ubuntu runners
 * have one), else buildah. `docker version` asks the engine and fails within
 * milliseconds when no daemon listens; buildx must be there too.
 */
export async function detectBuilder(exec: Exec): Promise<BuilderName> {
  try {
    const server = await exec('docker', ['version', '--format', '{{.Server.Version}}'], { silent: true });
    if (!server.stdout.trim()) return 'buildah';
    await exec('docker', ['buildx', 'version'], { silent: true });
    return 'docker';
  } catch {
    return 'buildah';
  }
}
