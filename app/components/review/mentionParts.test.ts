import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitMentions } from './mentionParts';

test('mentions split at word boundaries, longest name first, case-insensitive', () => {
  assert.deepEqual(splitMentions('hey @ada lovelace and @Adam, ok?', ['Ada Lovelace', 'Ada', 'Adam']), [
    { text: 'hey ', mention: false },
    { text: '@ada lovelace', mention: true },
    { text: ' and ', mention: false },
    { text: '@Adam', mention: true },
    { text: ', ok?', mention: false },
  ]);
  assert.deepEqual(splitMentions('mail me@adamant.com', ['Adam']), [{ text: 'mail me@adamant.com', mention: false }]);
  assert.deepEqual(splitMentions('<script>@x</script>', []), [{ text: '<script>@x</script>', mention: false }]);
});
