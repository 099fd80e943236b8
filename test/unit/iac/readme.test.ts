import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IAC_README_PATH, renderIacReadme } from '../../../scripts/generate-iac-docs.js';

describe('iac/README.md', () => {
  it('documents every input and output the module declares, as it declares them', async () => {
    // on failure: npx tsx scripts/generate-iac-docs.ts, then review and commit the diff
    const readme = readFileSync(IAC_README_PATH, 'utf8');
    expect(readme).toBe(await renderIacReadme(readme));
  });

  it('lists the README example’s variables among the inputs', () => {
    const readme = readFileSync(IAC_README_PATH, 'utf8');
    for (const name of ['prefix', 'env', 'github_repo_info', 'custom_role_assignments', 'worker_image', 'schemas']) {
      expect(readme).toContain(`| \`${name}\` |`);
    }
  });
});
