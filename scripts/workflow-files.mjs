// The repository's workflow files: `.github/workflows/*.yml` and every
// `examples/<name>/workflows/*.yml`, as paths relative to `root`. One list for
// actionlint, GitHub's parser, the release script's reference rewrite and the
// workflow tests.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function workflowFiles(root) {
  const yml = (dir) =>
    existsSync(path.join(root, dir))
      ? readdirSync(path.join(root, dir))
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => path.join(dir, f))
      : [];
  const examples = existsSync(path.join(root, 'examples'))
    ? readdirSync(path.join(root, 'examples'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join('examples', d.name, 'workflows'))
    : [];
  return [...yml('.github/workflows'), ...examples.flatMap(yml)];
}
