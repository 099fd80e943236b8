/**
 * The provider-side part of validation. Terraform itself checks configuration against the schema (unknown
 * arguments, types, required arguments, block counts); a provider adds rules its schema cannot express.
 * The bindings carry none of them, so only the hand-written `ExactlyOneOf` rules of terraform-schema.ts are
 * checked, worded as terraform-plugin-sdk/v2 words them.
 */
import { ONE_OF_REQUIRED } from '../terraform-schema.js';
import { type CtyObject, UNKNOWN } from './cty.js';

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  summary: string;
  detail: string;
  attribute?: { steps: { attribute_name: string }[] };
}

export function validateResource(type: string, config: CtyObject): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const names of ONE_OF_REQUIRED[type] ?? []) {
    // an unknown value may turn out null or not: judge only what is known now, as the SDK does
    if (names.some((n) => config[n] === UNKNOWN)) continue;
    const set = names.filter((n) => (config[n] ?? null) !== null);
    const list = names.join(',');
    const first = names[0] ?? '';
    if (set.length === 0) {
      problems.push({
        severity: 'ERROR',
        summary: `"${first}": one of \`${list}\` must be specified`,
        detail: '',
        attribute: { steps: [{ attribute_name: first }] },
      });
    } else if (set.length > 1) {
      problems.push({
        severity: 'ERROR',
        summary: `"${set[0]}": only one of \`${list}\` can be specified, but \`${set.join(',')}\` were specified.`,
        detail: '',
        attribute: { steps: [{ attribute_name: set[0] ?? '' }] },
      });
    }
  }
  return problems;
}
