import type { ScenarioResult } from './result.js';
import type { ChaosOptions } from './setup.js';
import { workerKillScenario } from './worker-kill.js';

export interface Scenario {
  /** For `--only`. */
  readonly name: string;
  run(options: ChaosOptions): Promise<ScenarioResult>;
}

/** In the order. */
export const SCENARIOS: readonly Scenario[] = [{ name: 'worker-kill', run: workerKillScenario }];
