import { describe, expect, it } from 'vitest';
import { ArgvSyntaxError, splitArgs } from '../../../src/core/argv.js';

describe('splitArgs', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['-n 1000 --repeats 1000', ['-n', '1000', '--repeats', '1000']],
    ["'a b' c", ['a b', 'c']],
    ['"a b" "c\\"d"', ['a b', 'c"d']],
    ["a'b'c", ['abc']],
    ["''", ['']],
    ['a\\ b', ['a b']],
    ['"$HOME" $(id) `id`', ['$HOME', '$(id)', '`id`']],
    ['a;b | c && d > /tmp/x', ['a;b', '|', 'c', '&&', 'd', '>', '/tmp/x']],
    ["'it''s'", ['its']],
    ['"a\\nb"', ['a\\nb']],
    ['tab\tsep\nnewline', ['tab', 'sep', 'newline']],
    ['*.log ~', ['*.log', '~']],
  ])('splits %j into %j', (input, expected) => {
    expect(splitArgs(input)).toEqual(expected);
  });

  it.each([
    ["'open", /unterminated single quote/],
    ['"open', /unterminated double quote/],
    ['trailing\\', /lone backslash/],
  ])('refuses %j', (input, message) => {
    expect(() => splitArgs(input)).toThrow(ArgvSyntaxError);
    expect(() => splitArgs(input)).toThrow(message);
  });
});
