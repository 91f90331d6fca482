// History (issue 15): the server replays only the newest `replayLines` lines of each process on connecting;
// `lucidlines logs` (and the MCP log tools) show the whole retained scrollback, so they page back for the rest
// with `history` requests and merge it in front of the replay.

import type { LucidLinesClient } from '../client.js';
import { HISTORY_MAX_LIMIT, type ProcessOutputMessage } from '../protocol.js';

export type OlderOutput = { ok: true; messages: ProcessOutputMessage[] } | { ok: false; message: string };

/**
 * The retained output of the named processes as replay messages in the order it was produced: the replay,
 * preceded by every older chunk the server still holds. `enoughLines`, when given, stops paging back once a
 * process has at least that many lines, for a caller that shows only the last ones. A server that puts no
 * `seq` on its output (older than history) replayed all it had, so the replay is returned as it is.
 */
export async function withOlderOutput(
  client: LucidLinesClient,
  replay: readonly ProcessOutputMessage[],
  names: readonly string[],
  enoughLines: number | null,
): Promise<OlderOutput> {
  const older: ProcessOutputMessage[] = [];
  for (const name of names) {
    const own = replay.filter((message) => message.name === name);
    let before = own[0]?.seq;
    let lines = own.reduce((count, message) => count + newlines(message.output), 0);
    while (before !== undefined && (enoughLines === null || lines < enoughLines)) {
      const result = await client.history(name, { before, limit: HISTORY_MAX_LIMIT });
      if (!result.ok) return { ok: false, message: result.message };
      const { page } = result;
      for (const chunk of page.chunks) {
        older.push({
          type: 'process',
          name,
          output: chunk.output,
          timestamp: chunk.timestamp,
          stream: chunk.stream,
          replay: true,
          seq: chunk.seq,
        });
        lines += newlines(chunk.output);
      }
      before = page.more ? page.chunks[0]?.seq : undefined;
    }
  }
  if (older.length === 0) return { ok: true, messages: [...replay] };
  // Seqs come from one counter over all processes, so sorting by them restores the order of production.
  const messages = [...older, ...replay].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return { ok: true, messages };
}

function newlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
