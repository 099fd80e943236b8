import { describe, expect, it } from 'vitest';
import { isConnectionString } from '../../../src/cli/migrate-command.js';

describe('what cloudo migrate takes for a connection string', () => {
  it.each([
    'DefaultEndpointsProtocol=https;AccountName=cloudo;AccountKey=abc==;EndpointSuffix=core.windows.net',
    'UseDevelopmentStorage=true',
    'AccountName=devstoreaccount1;AccountKey=k;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1',
    'TableEndpoint=https://cloudo.table.core.windows.net/;SharedAccessSignature=sv=2022',
  ])('reads the table given %s', (source) => expect(isConnectionString(source)).toBe(true));

  it.each(['schemas.json', '-', './exports/RunbookSchemas.json', 'rows;TableEndpoint.json'])(
    'reads the file %s',
    (source) => expect(isConnectionString(source)).toBe(false),
  );
});
