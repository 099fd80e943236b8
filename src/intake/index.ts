export type { IntakeOutcome, IntakeRequest } from './alert-intake.js';
export { AlertIntake } from './alert-intake.js';
export type { FiredTick, SchedulerOptions, SchedulerPass } from './scheduled-runs.js';
export { Scheduler } from './scheduled-runs.js';
