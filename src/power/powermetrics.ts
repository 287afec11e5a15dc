// The powermetrics meter: Apple-silicon SoC power (CPU + GPU + ANE) from macOS's
// `powermetrics --samplers cpu_power,gpu_power,ane_power -i MS --format plist`.
//
// Format (powermetrics(1): `-i N` samples every N ms, `-f plist` writes "machine-readable property list,
// NUL-separated"): one XML plist document per sample, a NUL between documents (asitop utils.py splits on it). Keys
// (asitop parsers.py; captured samples): `elapsed_ns` (the sample's length), and in the `processor` dict
// `cpu_power`, `gpu_power`, `ane_power`, `combined_power` in mW (the mean over the sample; combined = cpu + gpu + ane),
// or on older macOS `cpu_energy`, `gpu_energy`, `ane_energy` in mJ over the sample; `gpu_energy` may sit in the `gpu`
// dict instead. powermetrics must run as root: without it, it prints "powermetrics must be invoked as the superuser"
// and exits 1.
import { MeterError } from '../errors.js';

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
