import { notifierOutageScenario } from './notifier-outage.js';
import { orphanRowScenario } from './orphan-row.js';
import type { ScenarioResult } from './result.js';
import type { ChaosOptions } from './setup.js';
import { stackKillScenario } from './stack-kill.js';
import { storageOutageScenario } from './storage-outage.js';
import { workerKillScenario } from './worker-kill.js';

export interface Scenario {
  /** For `--only`. */
  readonly name: string;
  run(options: ChaosOptions): Promise<ScenarioResult>;
}

/** In the order. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'worker-kill', run: workerKillScenario },
  { name: 'stack-kill', run: stackKillScenario },
  { name: 'storage-outage', run: storageOutageScenario },
  { name: 'orphan-row', run: orphanRowScenario },
  { name: 'notifier-outage', run: notifierOutageScenario },
];
