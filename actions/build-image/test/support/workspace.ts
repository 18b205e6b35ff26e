import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actionDir } from '../../../../test/harness/runner.js';
import { requireProgram } from '../../../../test/support/services.js';

/**
 * A repository checkout for the action to build: a multi-stage Dockerfile whose
 * stages are `FROM scratch` (no base image can be pulled here) with a static
 * busybox and a text file copied in from the build context.
 */
export const MULTI_STAGE = `# The first stage gathers the files, the second is the image.
FROM scratch AS tools
ARG GREETING
COPY busybox /bin/busybox
COPY hello.txt \\
     /src/hello.txt

FROM scratch
LABEL org.opencontainers.image.title="own title" org.example.own=kept
COPY --from=tools /bin/busybox /bin/busybox
COPY --from=tools /src/hello.txt /hello.txt
ENTRYPOINT ["/bin/busybox", "cat", "/hello.txt"]
`;

export const MISSING_FILE = `FROM scratch AS tools
COPY busybox /bin/busybox

FROM scratch
COPY --from=tools /bin/busybox /bin/busybox
COPY missing.txt /missing.txt
`;

export function makeWorkspace(): string {
  const busybox = requireProgram('busybox', 'busybox-static');
  const root = mkdtempSync(path.join(tmpdir(), 'glidepath-build-ws-'));
  for (const [dir, dockerfile] of [
    ['app', MULTI_STAGE],
    ['broken', MISSING_FILE],
  ] as const) {
    mkdirSync(path.join(root, dir));
    copyFileSync(busybox, path.join(root, dir, 'busybox'));
    writeFileSync(path.join(root, dir, 'hello.txt'), 'hello from glidepath\n');
    writeFileSync(path.join(root, dir, 'Dockerfile'), dockerfile);
  }
  return root;
}

/** Behaviour tests run the bundled action: what is tested is what ships. */
export function requireBundle(): void {
  if (!existsSync(path.join(actionDir('build-image'), 'dist/index.js')))
    throw new Error(
      'actions/build-image/dist/index.js is missing: run npm run bundle -w @glidepath/build-image',
    );
}
