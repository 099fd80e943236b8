/**
 * Writes the Inputs and Outputs tables of `iac/README.md` from `iac/variables.tf` and `iac/outputs.tf`
 * (what terraform-docs does, without a binary to download): `npx tsx scripts/generate-iac-docs.ts`.
 * `test/unit/iac/readme.test.ts` fails when the README no longer says what the module declares.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

export const IAC_README_PATH = fileURLToPath(new URL('../iac/README.md', import.meta.url));
const IAC_DIR = new URL('../iac/', import.meta.url);

interface Declared {
  description?: string;
  type?: string;
  default?: unknown;
  sensitive?: boolean;
}

type Blocks = Record<string, Declared[]>;

async function declared(file: string, kind: 'variable' | 'output'): Promise<[string, Declared][]> {
  const parsed = (await parse(file, readFileSync(new URL(file, IAC_DIR), 'utf8'))) as Record<string, Blocks>;
  return Object.entries(parsed[kind] ?? {})
    .map(([name, [body]]): [string, Declared] => [name, body ?? {}])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** hcl2json wraps expressions as `${…}`; a table cell wants them on one line. */
const expression = (text: string) => text.replace(/^\$\{([\s\S]*)\}$/, '$1').replace(/\s+/g, ' ');
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string) => `\`${cell(text)}\``;

function hclValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(hclValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k} = ${hclValue(v)}`).join(', ')} }`;
  }
  return String(value);
}

function inputsTable(variables: [string, Declared][]): string {
  const rows = variables.map(([name, v]) => {
    const fallback = 'default' in v ? code(hclValue(v.default)) : 'required';
    const description = `${v.description ?? ''}${v.sensitive ? ' (sensitive)' : ''}`;
    return `| \`${name}\` | ${code(expression(v.type ?? 'any'))} | ${fallback} | ${cell(description)} |`;
  });
  return ['| name | type | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function outputsTable(outputs: [string, Declared][]): string {
  const rows = outputs.map(
    ([name, o]) => `| \`${name}\` | ${cell(`${o.description ?? ''}${o.sensitive ? ' (sensitive)' : ''}`)} |`,
  );
  return ['| name | description |', '| --- | --- |', ...rows].join('\n');
}

function replaceBetween(text: string, marker: string, content: string): string {
  const begin = `<!-- ${marker}:begin (scripts/generate-iac-docs.ts) -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`iac/README.md lacks the ${marker} markers`);
  return `${text.slice(0, from + begin.length)}\n${content}\n${text.slice(to)}`;
}

/** The README as it should read now. */
export async function renderIacReadme(readme: string): Promise<string> {
  const withInputs = replaceBetween(readme, 'inputs', inputsTable(await declared('variables.tf', 'variable')));
  return replaceBetween(withInputs, 'outputs', outputsTable(await declared('outputs.tf', 'output')));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(IAC_README_PATH, await renderIacReadme(readFileSync(IAC_README_PATH, 'utf8')));
  console.log(`wrote ${IAC_README_PATH}`);
}
