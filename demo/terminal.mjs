// Renders the GitHub-flavoured markdown of a job summary for a terminal, the
// way the demo shows "what a user would see on GitHub": headings, alerts,
// aligned tables, lists, details, and mermaid xy-charts drawn as text charts.
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
export const style = {
  bold: paint('1'),
  dim: paint('2'),
  red: paint('31'),
  green: paint('32'),
  yellow: paint('33'),
  blue: paint('34'),
  cyan: paint('36'),
};

const inline = (text) =>
  text
    .replace(/<br>/g, ' ')
    .replace(/<\/?(summary|details|code|b|strong)>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/\*\*([^*]+)\*\*/g, (_, t) => style.bold(t))
    .replace(/`([^`]+)`/g, (_, t) => style.cyan(t))
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');

const visibleLength = (text) => text.replace(/\x1b\[[0-9;]*m/g, '').length;
const pad = (text, width) => text + ' '.repeat(Math.max(0, width - visibleLength(text)));

function renderTable(lines) {
  const rows = lines
    .filter(
      (l) =>
        !/^\|\s*-{3,}/.test(l.replace(/\s/g, '').replace(/^\|/, '|')) && !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(l),
    )
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => inline(c.trim().replace(/\\\|/g, '|'))),
    );
  const widths = [];
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(c));
    });
  }
  const out = rows.map(
    (row, r) => `  ${row.map((c, i) => pad(r === 0 ? style.bold(c) : c, widths[i])).join('  ')}`,
  );
  out.splice(1, 0, `  ${widths.map((w) => style.dim('─'.repeat(w))).join('  ')}`);
  return out;
}

/** xychart-beta → a small text chart: one row per series, values scaled to block characters. */
function renderChart(lines) {
  const title = /title "([^"]*)"/.exec(lines.join('\n'))?.[1] ?? 'chart';
  const x =
    /x-axis \[([^\]]*)\]/
      .exec(lines.join('\n'))?.[1]
      ?.split(',')
      .map((s) => s.trim().replace(/^"|"$/g, '')) ?? [];
  const yAxis = /y-axis "([^"]*)" ([\d.-]+) --> ([\d.-]+)/.exec(lines.join('\n'));
  const yMax = yAxis ? Number(yAxis[3]) : undefined;
  const blocks = ' ▁▂▃▄▅▆▇█';
  const out = [`  ${style.bold(title)}${yAxis ? style.dim(` (${yAxis[1]}, 0–${yAxis[3]})`) : ''}`];
  for (const line of lines) {
    const m = /^\s*(line|bar) \[([^\]]*)\]/.exec(line);
    if (!m) continue;
    const values = m[2].split(',').map(Number);
    const max = yMax ?? Math.max(...values, 1);
    const spark = values
      .map((v) => blocks[Math.max(0, Math.min(8, Math.round((v / (max || 1)) * 8)))])
      .join('');
    out.push(
      `  ${style.dim(m[1].padEnd(4))} ${style.green(spark)}  ${style.dim(`${values[0]} … ${values[values.length - 1]}`)}`,
    );
  }
  if (x.length) out.push(`  ${style.dim(`x: ${x[0]} … ${x[x.length - 1]} (${x.length} points)`)}`);
  return out;
}

export function renderMarkdown(markdown) {
  const lines = markdown.replace(/\r/g, '').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const lang = line.slice(3).trim();
      const body = [];
      while (++i < lines.length && !lines[i].startsWith('```')) body.push(lines[i]);
      out.push(...(lang === 'mermaid' ? renderChart(body) : body.map((b) => `    ${style.dim(b)}`)));
      continue;
    }
    if (line.startsWith('|')) {
      const block = [];
      while (i < lines.length && lines[i].startsWith('|')) block.push(lines[i++]);
      i--;
      out.push(...renderTable(block));
      continue;
    }
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    if (heading) {
      out.push(
        heading[1].length <= 2 ? style.bold(style.blue(inline(heading[2]))) : style.bold(inline(heading[2])),
      );
      continue;
    }
    const alert = /^> \[!(\w+)\]$/.exec(line);
    if (alert) {
      const kind = alert[1];
      const color =
        kind === 'CAUTION' || kind === 'WARNING' ? style.red : kind === 'TIP' ? style.green : style.yellow;
      const body = [];
      while (i + 1 < lines.length && lines[i + 1].startsWith('>')) body.push(lines[++i].replace(/^> ?/, ''));
      out.push(color(`▌ ${kind}`), ...body.map((b) => color('▌ ') + inline(b)));
      continue;
    }
    if (line.startsWith('> ')) {
      out.push(style.dim('│ ') + inline(line.slice(2)));
      continue;
    }
    if (/^<details>/.test(line)) {
      // Collapsed, as GitHub shows it: the label only, the body skipped (nested details included).
      const label = /<summary>(.*?)<\/summary>/.exec(line)?.[1];
      if (label) out.push(style.dim(`▸ ${inline(label)}`));
      let depth = 1;
      while (depth > 0 && ++i < lines.length) {
        if (/^<details>/.test(lines[i])) depth++;
        else if (/^<\/details>/.test(lines[i])) depth--;
      }
      continue;
    }
    if (/^\s*[-*] /.test(line)) {
      out.push(`  • ${inline(line.replace(/^\s*[-*] /, ''))}`);
      continue;
    }
    out.push(inline(line));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}
