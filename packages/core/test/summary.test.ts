import { describe, expect, it } from 'vitest';
import { markdownTable, mermaidXYChart, registerSecret, Summary } from '../src/index.js';

describe('summary builders', () => {
  it('escapes pipes and new lines in table cells', () => {
    expect(
      markdownTable(
        ['check', 'note'],
        [
          ['a|b', 'one\ntwo'],
          ['c', undefined],
        ],
      ),
    ).toBe('| check | note |\n| --- | --- |\n| a\\|b | one<br>two |\n| c |  |');
  });

  it('draws a mermaid xychart with one line per series', () => {
    const chart = mermaidXYChart({
      title: 'Weight "new"',
      x: ['0s', '5s', '10s'],
      yLabel: 'percent',
      yMin: 0,
      yMax: 100,
      series: [
        { name: 'weight', values: [10, 50, 100] },
        { name: 'errors', kind: 'bar', values: [0, 0.1234, 0] },
      ],
    });
    expect(chart.split('\n')).toEqual([
      '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb, #d1242f"}}}}%%',
      'xychart-beta',
      `  title "Weight 'new'"`,
      '  x-axis ["0s", "5s", "10s"]',
      '  y-axis "percent" 0 --> 100',
      '  line [10, 50, 100]',
      '  bar [0, 0.123, 0]',
    ]);
  });

  it('colours each series as asked, says which is which, and merges repeated x labels', () => {
    const spec = {
      title: 'Weight',
      x: ['0.0', '1.0', '1.0', '2.0'],
      yLabel: '%',
      series: [
        { name: 'weight', colour: 'green' as const, values: [10, 10, 50, 50] },
        { name: 'error rate', colour: 'red' as const, values: [0, 1, 2, 3] },
      ],
    };
    const chart = mermaidXYChart(spec);
    expect(chart).toContain('"plotColorPalette": "#1a7f37, #d1242f"');
    // The second of two points named 1.0 is kept: after a step change, the new weight.
    expect(chart).toContain('x-axis ["0.0", "1.0", "2.0"]');
    expect(chart).toContain('line [10, 50, 50]');
    expect(chart).toContain('line [0, 2, 3]');
    const md = new Summary().chart(spec).toMarkdown();
    expect(md).toContain('<sub>green line: weight · red line: error rate</sub>');
  });

  it('redacts registered secrets from the markdown', () => {
    registerSecret('hunter2-token');
    const md = new Summary().heading('Result').paragraph('token hunter2-token used').toMarkdown();
    expect(md).toBe('## Result\n\ntoken *** used\n');
  });

  it('leaves out a chart with fewer than two points', () => {
    const md = new Summary()
      .chart({ title: 't', x: ['a'], yLabel: 'y', series: [{ name: 's', values: [1] }] })
      .toMarkdown();
    expect(md).not.toContain('mermaid');
  });
});
