import { describe, expect, it } from 'vitest';
import {
  parseUpstream,
  rewriteServers,
  sameAddress,
  serverWeight,
  UpstreamSyntaxError,
  withWeight,
} from '../../src/traffic/nginx-upstream.js';

const file = `# app upstream
upstream other { server 10.0.0.1:80; }
upstream app {
  least_conn;
  server 127.0.0.1:8081 weight=5 max_fails=3 fail_timeout=30s; # blue
  server "127.0.0.1:8082" down;  # green, quoted
  server unix:/run/sorry.sock backup;
}
`;

describe('nginx upstream parsing', () => {
  it('finds the named block and its servers with their parameters and lines', () => {
    const block = parseUpstream(file, 'app');
    expect(block.servers.map((s) => [s.address, s.params, s.line])).toEqual([
      ['127.0.0.1:8081', ['weight=5', 'max_fails=3', 'fail_timeout=30s'], 5],
      ['127.0.0.1:8082', ['down'], 6],
      ['unix:/run/sorry.sock', ['backup'], 7],
    ]);
    expect(block.servers.map(serverWeight)).toEqual([5, 0, 0]);
  });

  it('rewrites only the given directives', () => {
    const block = parseUpstream(file, 'app');
    const out = rewriteServers(file, [
      { server: block.servers[0]!, params: withWeight(block.servers[0]!.params, 0) },
      { server: block.servers[1]!, params: withWeight(block.servers[1]!.params, 100) },
    ]);
    expect(out).toBe(
      file
        .replace(
          'server 127.0.0.1:8081 weight=5 max_fails=3 fail_timeout=30s;',
          'server 127.0.0.1:8081 max_fails=3 fail_timeout=30s down;',
        )
        .replace('server "127.0.0.1:8082" down;', 'server 127.0.0.1:8082 weight=100;'),
    );
  });

  it('reports what does not parse', () => {
    expect(() => parseUpstream(file, 'missing')).toThrow('there is no "upstream missing { … }" block');
    expect(() => parseUpstream('upstream app { server 1.2.3.4:80 }', 'app')).toThrow(UpstreamSyntaxError);
    expect(() => parseUpstream('upstream app { server 1.2.3.4:80;', 'app')).toThrow('a "{" is never closed');
    expect(() => parseUpstream('upstream app { server "1.2.3.4:80; }', 'app')).toThrow('never closed');
    expect(() => parseUpstream('upstream app { server 1.2.3.4:80; }\nupstream app { }', 'app')).toThrow(
      'defined twice',
    );
  });

  it('compares addresses the way nginx reads them', () => {
    expect(sameAddress('LOCALHOST', 'localhost:80')).toBe(true);
    expect(sameAddress('127.0.0.1:8081', '127.0.0.1:8082')).toBe(false);
    expect(sameAddress('[::1]:8080', '[::1]:8080')).toBe(true);
  });
});
