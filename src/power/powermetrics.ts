// The powermetrics meter: Apple-silicon SoC power (CPU + GPU + ANE) from macOS's `powermetrics … --format plist`,
// one NUL-separated plist document per sample (docs/vendor-facts.md "macOS — powermetrics").
import { MeterError } from '../errors.js';
import { realClock, type Clock } from './core/clock.js';
import { hardwareMeter } from './core/entry.js';
import { Sampler, type FeedSink } from './core/sampler.js';
import { endText, StreamFeed, type LinesOutcome, type StreamEnd, type StreamTool } from './core/stream-feed.js';
import type { MeterFactory, PowerMeter } from './types.js';

/** A plist value, as far as powermetrics uses them. */
export type PlistValue = string | number | boolean | Date | PlistValue[] | { [key: string]: PlistValue };

/** The tokens of a plist document: tags and the text between them. */
function tokens(xml: string): Array<{ tag: string } | { text: string }> {
  const out: Array<{ tag: string } | { text: string }> = [];
  const pattern = /<([^>]*)>|([^<]+)/g;
  for (const match of xml.matchAll(pattern)) {
    if (match[1] !== undefined) out.push({ tag: match[1].trim() });
    else if (match[2]!.trim() !== '') out.push({ text: match[2]! });
  }
  return out;
}

const unescape = (text: string) =>
  text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[name]!);

/**
 * Parse one XML plist document (dict, array, key, string, integer, real, true, false, date, data). Throws
 * MeterError POWERMETRICS_FORMAT on anything else: a document powermetrics did not write.
 */
export function parsePlist(xml: string): PlistValue {
  const list = tokens(xml).filter((t) => !('tag' in t) || !/^[?!]/.test(t.tag));
  let at = 0;
  const bad = (why: string) => new MeterError('POWERMETRICS_FORMAT', `powermetrics printed a plist joulebench cannot read: ${why}`);
  const nextTag = (): string => {
    const token = list[at++];
    if (!token || !('tag' in token)) throw bad(`expected a tag, got ${token ? `"${token.text.trim().slice(0, 40)}"` : 'the end'}`);
    return token.tag;
  };
  const textUntil = (close: string): string => {
    let text = '';
    while (list[at] && 'text' in list[at]!) text += (list[at++] as { text: string }).text;
    if (nextTag() !== close) throw bad(`<${close.slice(1)}> is not closed`);
    return unescape(text.trim());
  };
  const value = (tag: string): PlistValue => {
    if (tag === 'dict/' ) return {};
    if (tag === 'array/') return [];
    if (tag === 'true/') return true;
    if (tag === 'false/') return false;
    if (tag === 'string/') return '';
    if (tag === 'dict') {
      const dict: { [key: string]: PlistValue } = {};
      for (let next = nextTag(); next !== '/dict'; next = nextTag()) {
        if (next !== 'key') throw bad(`expected <key> in a dict, got <${next}>`);
        const key = textUntil('/key');
        dict[key] = value(nextTag());
      }
      return dict;
    }
    if (tag === 'array') {
      const array: PlistValue[] = [];
      for (let next = nextTag(); next !== '/array'; next = nextTag()) array.push(value(next));
      return array;
    }
    if (tag === 'integer' || tag === 'real') {
      const text = textUntil(`/${tag}`);
      const number = Number(text);
      if (text === '' || !Number.isFinite(number)) throw bad(`<${tag}>${text.slice(0, 40)}</${tag}> is not a number`);
      return number;
    }
    if (tag === 'string' || tag === 'data') return textUntil(`/${tag}`);
    if (tag === 'date') return new Date(textUntil('/date'));
    throw bad(`unknown element <${tag}>`);
  };
  const first = nextTag();
  if (!/^plist\b/.test(first)) throw bad(`it does not start with <plist> (starts with <${first}>)`);
  const root = value(nextTag());
  return root;
}

/** Split powermetrics' stdout into its documents (NUL-separated; a document ends with `</plist>`). */
export function splitPlistStream(text: string): { documents: string[]; rest: string } {
  const documents: string[] = [];
  let rest = text;
  for (let end = rest.indexOf('</plist>'); end >= 0; end = rest.indexOf('</plist>')) {
    const document = rest.slice(0, end + '</plist>'.length).replace(/\0/g, '').trim();
    if (document !== '') documents.push(document);
    rest = rest.slice(end + '</plist>'.length);
  }
  return { documents, rest: rest.replace(/^[\s\0]+/, '') };
}

/** One powermetrics sample: SoC power and its parts, over `elapsedMs` ending when it was printed. */
export interface PowermetricsSample {
  elapsedMs: number | null;
  powerW: number;
  cpuW: number | null;
  gpuW: number | null;
  aneW: number | null;
}

const isDict = (value: PlistValue | undefined): value is { [key: string]: PlistValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
const numberAt = (dict: { [key: string]: PlistValue } | undefined, key: string): number | null =>
  dict && typeof dict[key] === 'number' ? (dict[key] as number) : null;

/**
 * SoC power of one parsed document. Power keys (mW) are preferred; energy keys (mJ over elapsed_ns) are the
 * fallback. Throws POWERMETRICS_FORMAT when the document has none of them (not Apple silicon, or a new format).
 */
export function powermetricsSample(document: PlistValue): PowermetricsSample {
  if (!isDict(document)) throw new MeterError('POWERMETRICS_FORMAT', 'powermetrics printed a plist whose top level is not a dict');
  const elapsedNs = numberAt(document, 'elapsed_ns');
  const elapsedMs = elapsedNs !== null && elapsedNs > 0 ? elapsedNs / 1e6 : null;
  const processor = isDict(document.processor) ? document.processor : undefined;
  const gpu = isDict(document.gpu) ? document.gpu : undefined;
  const part = (name: 'cpu' | 'gpu' | 'ane'): number | null => {
    for (const dict of name === 'gpu' ? [processor, gpu] : [processor]) {
      const mw = numberAt(dict, `${name}_power`);
      if (mw !== null) return mw / 1000;
    }
    for (const dict of name === 'gpu' ? [processor, gpu] : [processor]) {
      const mj = numberAt(dict, `${name}_energy`);
      if (mj !== null && elapsedMs !== null) return mj / elapsedMs;
    }
    return null;
  };
  const cpuW = part('cpu');
  const gpuW = part('gpu');
  const aneW = part('ane');
  const combinedMw = numberAt(processor, 'combined_power');
  const parts = [cpuW, gpuW, aneW].filter((w): w is number => w !== null);
  if (combinedMw === null && parts.length === 0) {
    throw new MeterError('POWERMETRICS_FORMAT', `powermetrics printed a sample without cpu_power, gpu_power, ane_power or combined_power (keys: ${Object.keys(document).join(', ')}): joulebench reads Apple-silicon Macs only`);
  }
  const powerW = combinedMw !== null ? combinedMw / 1000 : parts.reduce((a, b) => a + b, 0);
  if (powerW < 0) throw new MeterError('POWERMETRICS_FORMAT', `powermetrics printed a negative power (${powerW} W)`);
  return { elapsedMs, powerW, cpuW, gpuW, aneW };
}

/** The arguments of the stream (sampling every `periodMs`). */
export function powermetricsArgs(periodMs: number): string[] {
  return ['--samplers', 'cpu_power,gpu_power,ane_power', '-i', String(Math.round(periodMs)), '--format', 'plist'];
}

// ---------------------------------------------------------------------------------------------------------------
// The meter: one long-lived powermetrics stream (through `sudo -n` unless joulebench runs as root) on the sampler.

export type { StreamTool };

/** Where and how to run powermetrics; everything defaults to the real tool. */
export interface PowermetricsOptions {
  /** Executable (default `powermetrics`), looked up on `env.PATH`. */
  command?: string;
  env?: NodeJS.ProcessEnv;
  /** Run it as `sudo -n powermetrics …` (default: when this process is not root). */
  sudo?: boolean;
  /** `-i` (default 100 ms). */
  periodMs?: number;
  /** How long start() and the probe wait for the first sample (default 5 s). */
  startupTimeoutMs?: number;
  /** Default process.platform (tests pretend to be macOS). */
  platform?: NodeJS.Platform;
  clock?: Clock;
  stream?: StreamTool;
}

/** A buffer this large without a complete document is not the plist format. */
const maxDocumentChars = 1 << 20;

/** How to let powermetrics run without a password prompt (the RAPL meter's grant script, for macOS). */
export const powermetricsGrant =
  'run joulebench with sudo, or let it start powermetrics without a password: `sudo visudo -f /etc/sudoers.d/powermetrics` ' +
  'and add the line `YOUR_USER ALL=(root) NOPASSWD: /usr/bin/powermetrics` (joulebench runs `sudo -n powermetrics`)';

const permissionPattern = /must be invoked as the superuser|a password is required|a terminal is required|not in the sudoers|may not run sudo/;

/** The powermetrics stream as a feed: each document is one interval-average sample of the SoC. */
class PowermetricsFeed extends StreamFeed {
  private text = '';
  readonly periodMs: number;
  readonly sudo: boolean;

  constructor(private readonly options: PowermetricsOptions) {
    super(options.clock ?? realClock, options.startupTimeoutMs ?? 5000, options.stream);
    this.periodMs = options.periodMs ?? 100;
    this.sudo = options.sudo ?? process.getuid?.() !== 0;
  }

  override open(sink: FeedSink): Promise<void> {
    this.text = '';
    return super.open(sink);
  }

  protected command() {
    const command = this.options.command ?? 'powermetrics';
    const args = powermetricsArgs(this.periodMs);
    return { file: this.sudo ? 'sudo' : command, args: this.sudo ? ['-n', command, ...args] : args, env: this.options.env ?? process.env };
  }

  protected silent(startupMs: number): Error {
    return new MeterError('POWERMETRICS_SILENT', `powermetrics printed no sample within ${startupMs} ms`);
  }

  /** Take more of stdout; push every complete document. */
  protected take(lines: string[], sink: FeedSink): LinesOutcome {
    const { documents, rest } = splitPlistStream(`${this.text}${lines.join('\n')}\n`);
    this.text = rest;
    try {
      for (const document of documents) {
        const sample = powermetricsSample(parsePlist(document));
        const context: Record<string, number> = {};
        if (sample.cpuW !== null) context.cpuW = sample.cpuW;
        if (sample.gpuW !== null) context.gpuW = sample.gpuW;
        if (sample.aneW !== null) context.aneW = sample.aneW;
        sink.push({ key: 0, tMs: this.clock.now(), powerW: sample.powerW, context });
      }
      if (this.text.length > maxDocumentChars || /^\*\*\* Sampled system activity/m.test(this.text)) {
        throw new MeterError('POWERMETRICS_FORMAT', `powermetrics printed text, not plist documents ("${this.text.trim().slice(0, 80)}…")`, {
          hint: 'joulebench runs powermetrics with --format plist; a wrapper script on PATH may be dropping it',
        });
      }
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    return documents.length > 0 ? null : 'waiting';
  }

  // Why the stream ended: not found, no permission (with the fix), or the tool's own words.
  protected ended(end: StreamEnd): Error {
    const said = `${this.text}\n${this.tool?.stderrTail() ?? ''}`.replace(/\0/g, '').trim();
    if (end.error?.code === 'ENOENT') {
      return new MeterError('POWERMETRICS_NOT_FOUND', `${this.command().file} not found on PATH (powermetrics ships with macOS)`, { cause: end.error });
    }
    if (permissionPattern.test(said)) {
      return new MeterError('POWERMETRICS_PERMISSION', `powermetrics needs root ("${said.split('\n').filter((line) => permissionPattern.test(line))[0]!.trim()}"): ${powermetricsGrant}`, {
        hint: powermetricsGrant,
      });
    }
    return new MeterError('POWERMETRICS_EXITED', `powermetrics exited (${endText(end)})${said ? `: ${said.slice(-300)}` : ''}`);
  }
}

/** Open a powermetrics meter directly (tests and library users). */
export function openPowermetricsMeter(options: PowermetricsOptions = {}): PowerMeter {
  const feed = new PowermetricsFeed(options);
  const { periodMs, sudo } = feed;
  const sampler = new Sampler(feed, {
    clock: options.clock,
    startWaitsForSample: true,
    waitMs: (tMs, now) => Math.max(0, tMs - now) + Math.max(2000, 5 * periodMs),
  });
  return sampler.meter(0, {
    id: 'powermetrics',
    kind: 'powermetrics',
    scope: 'soc',
    device: null,
    periodMs,
    estimated: false,
    sampleKind: 'interval-average',
    detail: `${sudo ? 'sudo -n ' : ''}powermetrics --samplers cpu_power,gpu_power,ane_power -i ${periodMs}: combined SoC power (CPU + GPU + ANE; Apple calls these estimates)`,
  });
}

/** A powermetrics meter factory with injected options (tests); the registry uses the defaults. */
export function createPowermetricsMeterFactory(options: PowermetricsOptions = {}): MeterFactory {
  return hardwareMeter({
    name: 'powermetrics',
    description: 'Apple-silicon SoC power (CPU + GPU + ANE) from macOS powermetrics; needs root (sudo -n with a NOPASSWD rule)',
    // The SoC's power contains the CPU: on a Mac it stands in for rapl.
    group: 'cpu',
    // Probe: macOS, then the stream until its first sample.
    async detail() {
      const platform = options.platform ?? process.platform;
      if (platform !== 'darwin') throw new MeterError('POWERMETRICS_NOT_MACOS', `powermetrics is macOS's tool (this is ${platform})`);
      const feed = new PowermetricsFeed(options);
      await feed.firstReading();
      return `${feed.sudo ? 'sudo -n ' : ''}powermetrics -i ${feed.periodMs}: Apple-silicon SoC power (CPU + GPU + ANE), interval averages`;
    },
    create: () => [openPowermetricsMeter(options)],
  });
}

/** Registry entry for the powermetrics meter. */
export const powermetricsMeterFactory: MeterFactory = createPowermetricsMeterFactory();
