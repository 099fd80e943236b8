import { describe, expect, it } from 'vitest';
import { README_END, README_START, withBenchTable } from '../../../bench/harness/format.js';
import { SAMPLE_RESULTS } from './sample-results.js';

const oneBench = { ...SAMPLE_RESULTS, benches: SAMPLE_RESULTS.benches.slice(0, 1) };

describe('npm run bench:readme', () => {
  it('renders the results between the markers and leaves the prose around them', () => {
    const readme = ['## Benchmarks', '', 'Intro.', '', README_START, 'old table', README_END, '', 'After.', ''].join(
      '\n',
    );
    expect(withBenchTable(readme, oneBench)).toBe(
      [
        '## Benchmarks',
        '',
        'Intro.',
        '',
        README_START,
        '',
        '2026-12-06 10:45 UTC, commit 0123456, quick run (`--quick`), 4.2 min: 2 cores (Bench CPU), 8.0 GiB, Node v20.19.0, linux x64.',
        '',
        '| figure | value | baseline (same run) | ratio | goal | met? |',
        '| --- | --- | --- | --- | --- | --- |',
        '| alert webhook answer p99 | 92.3 ms | GET /api/healthz p99: 18.5 ms | 4.99 × | ≤ 100 ms | yes |',
        '| end-to-end trivial runs/s | 23.4 runs/s | raw queue send+receive+delete: 225 msg/s | 0.10 × | ≥ 0.6 × baseline | **no** |',
        '',
        README_END,
        '',
        'After.',
        '',
      ].join('\n'),
    );
  });

  it('gives the same README when run twice on the same results', () => {
    const readme = `${README_START}\n${README_END}\n`;
    const once = withBenchTable(readme, oneBench);
    expect(withBenchTable(once, oneBench)).toBe(once);
  });

  it('refuses a README without the markers rather than appending somewhere', () => {
    expect(() => withBenchTable('## Benchmarks\n', oneBench)).toThrow(/lacks the markers/);
  });
});
