export type { IntakeOutcome, IntakeRequest } from './alert-intake.js';
export { AlertIntake } from './alert-intake.js';
