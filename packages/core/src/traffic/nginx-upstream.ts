/**
 * Reading and rewriting one `upstream <name> { … }` block in ordinary nginx
 * syntax. Only the `server` directives of the slots are ever rewritten, and
 * only their `weight=`, `down` and `backup` parameters: every other byte of
 * the file (comments, spacing, `keepalive`, `zone`, other parameters such as
 * `max_fails=3`) stays as the user wrote it.
 */

interface Token {
  text: string;
  start: number;
  end: number;
  /** `;`, `{` or `}` outside quotes. */
  punctuation: boolean;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ text: c, start: i, end: i + 1, punctuation: true });
      i++;
    } else {
      const start = i;
      let text = '';
      while (i < source.length && !/[\s;{}]/.test(source[i]!)) {
        const q = source[i]!;
        if (q === '"' || q === "'") {
          i++;
          while (i < source.length && source[i] !== q) {
            if (source[i] === '\\' && i + 1 < source.length) i++;
            text += source[i];
            i++;
          }
          if (i >= source.length)
            throw new UpstreamSyntaxError(`a quote opened at offset ${start} is never closed`);
          i++;
        } else {
          if (q === '\\' && i + 1 < source.length) i++;
          text += source[i];
          i++;
        }
      }
      tokens.push({ text, start, end: i, punctuation: false });
    }
  }
  return tokens;
}

export class UpstreamSyntaxError extends Error {
  override readonly name = 'UpstreamSyntaxError';
}

/** One `server` directive of the block, with its place in the file. */
export interface UpstreamServer {
  address: string;
  /** Parameters after the address, as written (`weight=5`, `max_fails=3`, `down`…). */
  params: string[];
  start: number;
  end: number;
  line: number;
}

export interface UpstreamBlock {
  name: string;
  servers: UpstreamServer[];
}

/** Finds the named upstream block and its servers. Throws UpstreamSyntaxError when the file does not parse. */
export function parseUpstream(source: string, name: string): UpstreamBlock {
  const tokens = tokenize(source);
  let depth = 0;
  let block: UpstreamBlock | undefined;
  let inBlock = false;
  let statement: Token[] = [];
  for (const token of tokens) {
    if (token.punctuation && token.text === '{') {
      if (
        depth === 0 &&
        statement.length === 2 &&
        statement[0]!.text === 'upstream' &&
        statement[1]!.text === name
      ) {
        if (block) throw new UpstreamSyntaxError(`upstream "${name}" is defined twice`);
        block = { name, servers: [] };
        inBlock = true;
      }
      depth++;
      statement = [];
    } else if (token.punctuation && token.text === '}') {
      if (depth === 0) throw new UpstreamSyntaxError(`unexpected "}" on line ${lineOf(source, token.start)}`);
      if (statement.length)
        throw new UpstreamSyntaxError(`missing ";" before line ${lineOf(source, token.start)}`);
      depth--;
      if (depth === 0) inBlock = false;
      statement = [];
    } else if (token.punctuation) {
      if (inBlock && depth === 1 && statement[0]?.text === 'server') {
        if (statement.length < 2)
          throw new UpstreamSyntaxError(
            `"server" without an address on line ${lineOf(source, statement[0].start)}`,
          );
        block!.servers.push({
          address: statement[1]!.text,
          params: statement.slice(2).map((t) => source.slice(t.start, t.end)),
          start: statement[0].start,
          end: token.end,
          line: lineOf(source, statement[0].start),
        });
      }
      statement = [];
    } else {
      statement.push(token);
    }
  }
  if (depth !== 0) throw new UpstreamSyntaxError('a "{" is never closed');
  if (statement.length) throw new UpstreamSyntaxError('the last directive has no ";"');
  if (!block) throw new UpstreamSyntaxError(`there is no "upstream ${name} { … }" block`);
  return block;
}

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source[i] === '\n') line++;
  return line;
}

/**
 * A slot's address as Glidepath may write it after `server` in an upstream
 * block: `host:port` (a DNS name or IPv4 address, the port optional as nginx
 * allows), `[v6]:port`, or `unix:/absolute/path`. Nothing that nginx's parser
 * reads as syntax — whitespace, `;`, `{`, `}`, quotes, `\`, control
 * characters — may appear, so an address cannot end its directive and add
 * another (`unix:/x;}` would close the block).
 */
export function isNginxServerAddress(address: string): boolean {
  if (address.startsWith('unix:')) return /^unix:\/[^\s;{}'"\\\u0000-\u001f\u007f]+$/.test(address);
  const match = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_][A-Za-z0-9_.-]*)(?::(\d{1,5}))?$/.exec(address);
  if (!match) return false;
  const port = match[1] === undefined ? undefined : Number(match[1]);
  return port === undefined || (port >= 1 && port <= 65535);
}

/** The same server written two ways (`LOCALHOST:80` and `localhost`) compares equal. */
export function sameAddress(a: string, b: string): boolean {
  return normalizeAddress(a) === normalizeAddress(b);
}

function normalizeAddress(address: string): string {
  if (address.startsWith('unix:')) return address;
  const lower = address.toLowerCase();
  return /:\d+$/.test(lower) && !/^[0-9a-f:]+$/.test(lower) ? lower : `${lower}:80`;
}

/** How much traffic a server takes as written: `down` and `backup` take none in normal operation. */
export function serverWeight(server: UpstreamServer): number {
  if (server.params.includes('down') || server.params.includes('backup')) return 0;
  const weight = server.params.find((p) => p.startsWith('weight='));
  return weight === undefined ? 1 : Number(weight.slice('weight='.length));
}

/**
 * The server's parameters with the managed ones replaced: `weight=N` right
 * after the address for a share above zero, `down` for zero (nginx has no
 * weight 0). `backup` is dropped from a slot: a slot's share is explicit.
 */
export function withWeight(params: string[], weight: number): string[] {
  const kept = params.filter((p) => p !== 'down' && p !== 'backup' && !p.startsWith('weight='));
  return weight > 0 ? [`weight=${weight}`, ...kept] : [...kept, 'down'];
}

/** Replaces the given servers' directives in place, leaving every other byte of the file as it was. */
export function rewriteServers(
  source: string,
  changes: Array<{ server: UpstreamServer; params: string[] }>,
): string {
  let out = source;
  for (const { server, params } of [...changes].sort((a, b) => b.server.start - a.server.start)) {
    const directive = `server ${server.address}${params.length ? ` ${params.join(' ')}` : ''};`;
    out = out.slice(0, server.start) + directive + out.slice(server.end);
  }
  return out;
}

/** A fresh file holding only the block, for when the router is pointed at a file that does not exist yet. */
export function renderUpstream(name: string, servers: Array<{ address: string; params: string[] }>): string {
  const lines = servers.map(
    (s) => `    server ${s.address}${s.params.length ? ` ${s.params.join(' ')}` : ''};`,
  );
  return `# Managed by Glidepath: the weights below are rewritten on every traffic shift.\nupstream ${name} {\n${lines.join('\n')}\n}\n`;
}
