import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimecode, parseTimecode } from './timecode';

test('time fields accept seconds, m:ss and h:mm:ss, and refuse anything else', () => {
  assert.equal(parseTimecode('42'), 42);
  assert.equal(parseTimecode('0:42'), 42);
  assert.equal(parseTimecode('1:02.5'), 62.5);
  assert.equal(parseTimecode('1:02:03'), 3723);
  assert.equal(parseTimecode(''), null);
  assert.equal(parseTimecode('abc'), null);
  assert.equal(parseTimecode('-3'), null);
  assert.equal(formatTimecode(42), '0:42.0');
  assert.equal(formatTimecode(62.25), '1:02.3');
});
