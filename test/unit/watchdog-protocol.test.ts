import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeWatchdogMessage,
  parseWatchdogMessage,
  type WatchdogMessage,
} from '../../src/process/watchdog-protocol.js';

describe('watchdog protocol', () => {
  it('parses every message it encodes, one per line', () => {
    const messages: WatchdogMessage[] = [
      { type: 'run', instanceId: '0123456789abcdef', killTimeoutMs: 5000, recordFile: '/run/x/run-1.json' },
      { type: 'run', instanceId: '0123456789abcdef', killTimeoutMs: 0, recordFile: null },
      { type: 'group-started', pgid: 4242, startTime: '99' },
      { type: 'group-ended', pgid: 4242 },
      { type: 'clean-exit' },
    ];
    for (const message of messages) {
      const line = encodeWatchdogMessage(message);
      assert.equal(line.indexOf('\n'), line.length - 1);
      assert.deepEqual(parseWatchdogMessage(line.trimEnd()), message);
    }
  });

  it('ignores malformed lines and groups that must never be signalled', () => {
    for (const line of [
      '',
      'clean-exit',
      '{"type":"quit"}',
      '{"type":"run","instanceId":"x","killTimeoutMs":5000,"recordFile":null}',
      '{"type":"run","instanceId":"0123456789abcdef","killTimeoutMs":"5000","recordFile":null}',
      '{"type":"group-started","pgid":1,"startTime":"9"}',
      '{"type":"group-started","pgid":-300,"startTime":"9"}',
      '{"type":"group-started","pgid":300}',
      '{"type":"group-ended","pgid":"300"}',
    ]) {
      assert.equal(parseWatchdogMessage(line), null, line);
    }
  });
});
