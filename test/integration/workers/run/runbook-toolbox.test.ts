import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REQUIREMENTS = readFileSync('workers/requirements.txt', 'utf8');
const DOCKERFILE = readFileSync('workers/Dockerfile', 'utf8');
const SAMPLE = 'runbooks/azure_toolbox.py';

/** What issue 16 promises python runbooks: the Azure management SDK, the Kubernetes client and requests. */
const PROMISED = [
  'azure-identity',
  'azure-mgmt-resource',
  'azure-mgmt-compute',
  'azure-mgmt-network',
  'azure-mgmt-storage',
  'azure-mgmt-containerservice',
  'kubernetes',
  'requests',
];

const pins = new Map(
  REQUIREMENTS.split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, version] = line.split('==');
      return [name ?? '', version ?? ''] as const;
    }),
);

/** The toolbox's own python: the image's venv, or one named for a run of this test outside the image. */
const TOOLBOX_PYTHON = process.env.CLOUDO_TOOLBOX_PYTHON ?? '/opt/cloudo-python/bin/python';
const hasToolbox = existsSync(TOOLBOX_PYTHON);

describe('the runbook toolbox (python)', () => {
  it('pins every promised library to one version, and the sample runbook checks exactly those', () => {
    expect([...pins.keys()].sort()).toEqual([...PROMISED].sort());
    for (const [name, version] of pins) expect(version, name).toMatch(/^\d+(\.\d+)+$/);
    const sampled = [...readFileSync(SAMPLE, 'utf8').matchAll(/^ {4}"([a-z-]+)": "[a-z.]+",$/gm)].map((m) => m[1]);
    expect(sampled.sort()).toEqual([...PROMISED].sort());
  });

  it('is installed in the worker image as root, in a venv first on PATH for the runbooks', () => {
    const install = DOCKERFILE.indexOf('pip install --no-cache-dir -r /opt/cloudo-python/requirements.txt');
    expect(DOCKERFILE).toContain('COPY workers/requirements.txt /opt/cloudo-python/requirements.txt');
    expect(install).toBeGreaterThan(0);
    expect(DOCKERFILE).toMatch(/^ENV PATH=\/opt\/cloudo-python\/bin:\$PATH$/m);
    // before the image drops to the worker's user: runbooks can use the toolbox, not change it
    expect(install).toBeLessThan(DOCKERFILE.indexOf('USER 10001:10001'));
  });

  it('runs the sample without the toolbox, naming each library missing from that python, and failing', async () => {
    // a python with no site packages at all: none of the toolbox is there
    const result = await run('python3', ['-S', SAMPLE]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`missing from this python \\(.*\\): ${PROMISED.join(', ')}\\n$`));
  });

  it.skipIf(!hasToolbox)('runs the sample with the toolbox, printing each pinned version', async () => {
    const { stdout } = await run(TOOLBOX_PYTHON, [SAMPLE]);
    expect(stdout).toBe(`${PROMISED.map((name) => `${name} ${pins.get(name)}`).join('\n')}\n`);
  });
});
