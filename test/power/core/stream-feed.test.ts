// The feed of a long-running tool (StreamFeed): open() resolves at the first reading and rejects when the tool fails
// or stays silent before it; later failures reach the sink; a tool stopped meanwhile is not heard from again.
// Driven on simulated time through an injected stream, with a minimal vendor subclass.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';
import type { FeedSink, Reading } from '../../../src/power/core/sampler.js';
import { endText, StreamFeed, type LinesOutcome, type StreamEnd, type StreamTool } from '../../../src/power/core/stream-feed.js';
import { settle, SimClock } from '../sim-clock.js';

type Handlers = Parameters<StreamTool>[3];

// A stream the test drives: every spawn hands its handlers over; stop() is counted.
function drivenStream() {
  const spawns: Array<{ file: string; args: string[]; handlers: Handlers }> = [];
  let stops = 0;
  const stream: StreamTool = (file, args, _env, handlers) => {
    spawns.push({ file, args: [...args], handlers });
    return { child: {} as ChildProcess, stderrTail: () => 'its stderr', stop: async () => void stops++ };
  };
  return { spawns, stream, stops: () => stops };
}

// A tool that prints `W=<watts>` lines; anything else is a format error; blank lines are nothing yet.
class WattsFeed extends StreamFeed {
  protected command() {
    return { file: 'watts-tool', args: ['--every', '100'], env: {} };
  }
  protected take(lines: string[], sink: FeedSink): LinesOutcome {
    let pushed = false;
    for (const line of lines.filter((l) => l.trim() !== '')) {
      const match = /^W=(\d+(?:\.\d+)?)$/.exec(line);
      if (!match) return new Error(`not a reading: ${line}`);
      sink.push({ key: 0, tMs: this.clock.now(), powerW: Number(match[1]) });
      pushed = true;
    }
    return pushed ? null : 'waiting';
  }
  protected ended(end: StreamEnd): Error {
    return new Error(`watts-tool exited (${endText(end)})`);
  }
  protected silent(startupMs: number): Error {
    return new Error(`watts-tool printed nothing within ${startupMs} ms`);
  }
  protected override startFailure(error: Error): Error {
    return new Error(`did not start: ${error.message}`);
  }
}

function recordingSink() {
  const readings: Reading[] = [];
  const failures: string[] = [];
  return { readings, failures, sink: { push: (r: Reading) => void readings.push(r), fail: (e: Error) => void failures.push(e.message) } satisfies FeedSink };
}

const lines = (spawn: { handlers: Handlers }, ...text: string[]) => (spawn.handlers.onLines as (lines: string[], receivedMs: number) => void)(text, 0);
const end = (spawn: { handlers: Handlers }, e: StreamEnd) => spawn.handlers.onEnd(e);

describe('StreamFeed', () => {
  test('open() resolves at the first reading, not at a blank line; later readings and failures reach the sink', async () => {
    const clock = new SimClock(0);
    const { spawns, stream } = drivenStream();
    const feed = new WattsFeed(clock, 5000, stream);
    const { readings, failures, sink } = recordingSink();
    let opened = false;
    const opening = feed.open(sink).then(() => void (opened = true));
    assert.deepEqual([spawns[0]!.file, spawns[0]!.args], ['watts-tool', ['--every', '100']]);
    lines(spawns[0]!, '');
    await settle();
    assert.equal(opened, false);
    await clock.advance(100);
    lines(spawns[0]!, 'W=12.5');
    await opening;
    await clock.advance(100);
    lines(spawns[0]!, 'W=13', 'garbage');
    assert.deepEqual(readings.map((r) => [r.tMs, r.powerW]), [[100, 12.5], [200, 13]]);
    assert.deepEqual(failures, ['not a reading: garbage']);
    end(spawns[0]!, { code: 1, signal: null, error: null });
    assert.deepEqual(failures, ['not a reading: garbage', 'watts-tool exited (code 1)']);
    await feed.close();
  });

  test('a failure before the first reading rejects open() with startFailure, stops the tool, and is not a sink failure', async () => {
    const clock = new SimClock(0);
    const { spawns, stream, stops } = drivenStream();
    const feed = new WattsFeed(clock, 5000, stream);
    const { failures, sink } = recordingSink();
    const opening = feed.open(sink);
    end(spawns[0]!, { code: null, signal: null, error: Object.assign(new Error('spawn watts-tool ENOENT'), { code: 'ENOENT' }) });
    await assert.rejects(opening, { message: 'did not start: watts-tool exited (spawn watts-tool ENOENT)' });
    await settle();
    assert.equal(stops(), 1);
    assert.deepEqual(failures, []);
  });

  test('silence within the startup time rejects with silent(), wrapped by startFailure', async () => {
    const clock = new SimClock(0);
    const { stream, stops } = drivenStream();
    const feed = new WattsFeed(clock, 3000, stream);
    const opening = feed.open(recordingSink().sink);
    const rejected = assert.rejects(opening, { message: 'did not start: watts-tool printed nothing within 3000 ms' });
    await clock.advance(2999);
    await clock.advance(1);
    await rejected;
    assert.equal(stops(), 1);
  });

  test('the exit of a tool stopped meanwhile is ignored: close() then its exit, or a restart before its late lines', async () => {
    const clock = new SimClock(0);
    const { spawns, stream } = drivenStream();
    const feed = new WattsFeed(clock, 5000, stream);
    const { readings, failures, sink } = recordingSink();
    const first = feed.open(sink);
    lines(spawns[0]!, 'W=5');
    await first;
    await feed.close();
    end(spawns[0]!, { code: null, signal: 'SIGTERM', error: null });
    assert.deepEqual(failures, []);
    const second = feed.open(sink);
    lines(spawns[0]!, 'W=999'); // the old tool's buffered output, after a new one started
    lines(spawns[1]!, 'W=6');
    await second;
    assert.deepEqual(readings.map((r) => r.powerW), [5, 6]);
    await feed.close();
  });

  test('endText: the exit code, the signal, or the spawn error', () => {
    assert.equal(endText({ code: 2, signal: null, error: null }), 'code 2');
    assert.equal(endText({ code: null, signal: 'SIGKILL', error: null }), 'signal SIGKILL');
    assert.equal(endText({ code: null, signal: null, error: Object.assign(new Error('spawn x EACCES'), { code: 'EACCES' }) }), 'spawn x EACCES');
  });
});
