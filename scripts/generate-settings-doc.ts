/** `npm run docs:settings`: rewrites README.md's settings table from the settings schemas. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from './settings-table.js';

const readme = readFileSync('README.md', 'utf8');
const next = withSettingsTable(readme);
if (next !== readme) writeFileSync('README.md', next);
console.log(next === readme ? 'README.md settings table is up to date' : 'README.md settings table rewritten');
