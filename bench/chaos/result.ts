/** One scenario's figures: a row of the `npm run chaos` table and an entry of its JSON file. */
export interface ScenarioResult {
  readonly scenario: string;
  /** Triggers answered 202. */
  readonly runs: number;
  /** Answered 202, but no row, or a row not terminal at the end. */
  readonly lost: number;
  /** Exec ids found more than once in the runbook's append file. */
  readonly runTwice: number;
  /** Rows (answered 202 or not) still not terminal once the settle time is over. */
  readonly stuck: number;
  /** From the first trigger to the last run's `finished_at`; null while any run is not terminal. */
  readonly timeToAllTerminalMs: number | null;
  /** Answers by HTTP status; `none` for a refused connection or a reset, `hang` for no answer in time. */
  readonly answers: Readonly<Record<string, number>>;
  /** 503 answers without a Retry-After header. */
  readonly unavailableWithoutRetryAfter: number;
  /** Longest time to an answer (or to the connection error). */
  readonly maxAnswerMs: number;
  /** Rows whose caller got no 202 (a hang, a reset): the run exists, and a caller retrying makes another. */
  readonly rowsWithoutAnswer: number;
  /** Runs answered 202 that ended terminal without their script ever running. */
  readonly neverRan: number;
  /** Rows by status at the end. */
  readonly statuses: Readonly<Record<string, number>>;
  /** What this scenario counts beyond the common columns (e.g. pages delivered). */
  readonly extra: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** The table the runner prints and the README shows (GitHub markdown). */
export function formatTable(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'runs',
    'lost',
    'run twice',
    'stuck',
    'time to all terminal',
    '500',
    '503 (no Retry-After)',
    'no answer (hang ≥ 30 s / reset)',
    'max answer',
  ];
  const rows = results.map((r) => [
    r.scenario,
    String(r.runs),
    String(r.lost),
    String(r.runTwice),
    String(r.stuck),
    seconds(r.timeToAllTerminalMs),
    String(r.answers['500'] ?? 0),
    `${r.answers['503'] ?? 0} (${r.unavailableWithoutRetryAfter})`,
    `${r.answers.hang ?? 0} / ${r.answers.none ?? 0}`,
    `${Math.round(r.maxAnswerMs)} ms`,
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One line per scenario, as it finishes. */
export function formatRow(r: ScenarioResult): string {
  const extra = Object.entries(r.extra).map(([k, v]) => `${k} ${v}`);
  const answers = Object.entries(r.answers).map(([k, v]) => `${k}×${v}`);
  return [
    `${r.scenario}: runs ${r.runs}, lost ${r.lost}, run twice ${r.runTwice}, stuck ${r.stuck}, never ran ${r.neverRan}, rows without answer ${r.rowsWithoutAnswer}`,
    `time to all terminal ${seconds(r.timeToAllTerminalMs)}, answers ${answers.join(' ')}, max answer ${Math.round(r.maxAnswerMs)} ms`,
    `statuses ${JSON.stringify(r.statuses)}${extra.length ? `, ${extra.join(', ')}` : ''}`,
    ...r.notes,
  ].join('\n  ');
}
