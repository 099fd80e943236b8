/** The module in iac/ is formatted as `terraform fmt` writes it (needs the terraform binary, so not a unit test). */
import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { hasTerraform } from '../support/terraform-provider/install.js';

const ROOT = new URL('../../', import.meta.url);

describe('iac formatting', () => {
  it.skipIf(!hasTerraform())('is formatted as terraform fmt writes it (skipped: no terraform binary on PATH)', () => {
    execFileSync('terraform', ['fmt', '-check', '-recursive', 'iac'], { cwd: ROOT, stdio: 'pipe' });
  });
});
