// The feed of a long-running tool that prints readings (nvidia-smi -lms, tegrastats, powermetrics): spawn, wait for
// the first reading, turn its exit into a named failure, stop. A vendor file says what to run and how to read lines.
import type { Clock } from './clock.js';
import { firstVerdict, streamTool, type ToolStream } from './child.js';
import type { Feed, FeedSink } from './sampler.js';

/** Starts a streaming tool (core/child streamTool; tests inject one they drive on simulated time). */
export type StreamTool = typeof streamTool;

/** How a stream ended: its exit code or signal, or the error that kept it from starting. */
export interface StreamEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: NodeJS.ErrnoException | null;
}

/** `code 1`, `signal SIGKILL`, or the spawn error's message: how a stream ended, for messages. */
export const endText = ({ code, signal, error }: StreamEnd): string => (error ? error.message : signal ? `signal ${signal}` : `code ${code}`);

/** What a batch of lines gave: a reading was pushed (null), none yet ('waiting'), or the feed is broken (an Error). */
export type LinesOutcome = Error | null | 'waiting';

const noSink: FeedSink = { push: () => {}, fail: () => {} };

/** One tool process feeding the sampler; open() resolves at its first reading and rejects when it fails before. */
export abstract class StreamFeed implements Feed {
  protected tool: ToolStream | null = null;
  /** Bumped on every open and close: lines and exits of a tool stopped meanwhile are ignored. */
  private generation = 0;

  constructor(protected readonly clock: Clock, private readonly startupMs: number, private readonly stream: StreamTool = streamTool) {}

  /** The executable, its arguments and environment. */
  protected abstract command(): { file: string; args: string[]; env: NodeJS.ProcessEnv };
  /** Parse lines that arrived together and push their readings. */
  protected abstract take(lines: string[], sink: FeedSink): LinesOutcome;
  /** The failure for a tool that ended (or never started). */
  protected abstract ended(end: StreamEnd): Error;
  /** The failure for a tool that printed no reading within the startup time. */
  protected abstract silent(startupMs: number): Error;
  /** How a failure before the first reading is reported (default: as it is). */
  protected startFailure(error: Error): Error {
    return error;
  }

  open(sink: FeedSink): Promise<void> {
    const generation = ++this.generation;
    const { file, args, env } = this.command();
    let started = false;
    return firstVerdict(this.clock, this.startupMs, () => this.startFailure(this.silent(this.startupMs)), (settle) => {
      const report = (failure: Error | null) => {
        if (failure && started) return sink.fail(failure);
        started ||= failure === null;
        settle(failure && this.startFailure(failure));
      };
      this.tool = this.stream(file, args, env, {
        onLines: (lines) => {
          if (generation !== this.generation) return;
          const outcome = this.take(lines, sink);
          if (outcome !== 'waiting') report(outcome);
        },
        onEnd: (end) => {
          if (generation === this.generation) report(this.ended(end));
        },
      });
    }, () => void this.close());
  }

  /** A probe: run the tool until its first reading, then stop it. Rejects as open() does. */
  async firstReading(): Promise<void> {
    try {
      await this.open(noSink);
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.generation++;
    const { tool } = this;
    this.tool = null;
    await tool?.stop();
  }
}
