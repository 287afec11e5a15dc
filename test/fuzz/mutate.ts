// A seeded mutator for fuzz tests: bit flips, interesting bytes, truncations, insertions, duplications and splices.
// Every mutation is reproducible from (seed, iteration), which a failure message prints.
import { SeededRandom } from '../../src/stats/random.js';

/** Bytes that break parsers: varint continuation, sign bits, zero, all ones, protobuf wire-type tags. */
const interestingBytes = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x3a, 0x42];

/** One mutated copy of `input` (or a splice with `other`), chosen by `random`. Returns the bytes and what was done. */
export function mutateBytes(random: SeededRandom, input: Uint8Array, other: Uint8Array): { bytes: Uint8Array; how: string } {
  const bytes = Uint8Array.from(input);
  const at = (length = bytes.length) => random.int(0, Math.max(1, length));
  switch (random.int(0, 8)) {
    case 0: {
      const flips = random.int(1, 9);
      for (let i = 0; i < flips && bytes.length > 0; i++) bytes[at()]! ^= 1 << random.int(0, 8);
      return { bytes, how: `${flips} bit flips` };
    }
    case 1: {
      const count = random.int(1, 5);
      for (let i = 0; i < count && bytes.length > 0; i++) bytes[at()] = interestingBytes[random.int(0, interestingBytes.length)]!;
      return { bytes, how: `${count} interesting bytes` };
    }
    case 2: {
      const length = at(bytes.length + 1);
      return { bytes: bytes.subarray(0, length), how: `truncated to ${length}` };
    }
    case 3: {
      const cut = at(bytes.length + 1);
      const from = at(other.length + 1);
      const spliced = new Uint8Array(cut + other.length - from);
      spliced.set(bytes.subarray(0, cut));
      spliced.set(other.subarray(from), cut);
      return { bytes: spliced, how: `splice ${cut} + other[${from}:]` };
    }
    case 4: {
      const where = at(bytes.length + 1);
      const chunk = Uint8Array.from({ length: random.int(1, 64) }, () => random.int(0, 256));
      const inserted = new Uint8Array(bytes.length + chunk.length);
      inserted.set(bytes.subarray(0, where));
      inserted.set(chunk, where);
      inserted.set(bytes.subarray(where), where + chunk.length);
      return { bytes: inserted, how: `${chunk.length} random bytes inserted at ${where}` };
    }
    case 5: {
      const start = at();
      const end = Math.min(bytes.length, start + random.int(1, 256));
      const chunk = bytes.subarray(start, end);
      const doubled = new Uint8Array(bytes.length + chunk.length);
      doubled.set(bytes.subarray(0, end));
      doubled.set(chunk, end);
      doubled.set(bytes.subarray(end), end + chunk.length);
      return { bytes: doubled, how: `bytes ${start}..${end} duplicated` };
    }
    case 6: {
      const start = at();
      const end = Math.min(bytes.length, start + random.int(1, 256));
      const removed = new Uint8Array(bytes.length - (end - start));
      removed.set(bytes.subarray(0, start));
      removed.set(bytes.subarray(end), start);
      return { bytes: removed, how: `bytes ${start}..${end} removed` };
    }
    default: {
      const length = random.int(0, 512);
      return { bytes: Uint8Array.from({ length }, () => random.int(0, 256)), how: `${length} random bytes` };
    }
  }
}

/** Tokens that break YAML and schema code: aliases, tags, odd numbers, brackets, huge strings. */
const interestingTokens = [
  '-1', '0', '1e400', '-1e400', '.nan', '.inf', '-.inf', '0x7fffffff', '9007199254740993', '1.5', 'null', '~', 'true',
  '*a', '&a x', '<<: *a', '!!binary AAAA', '!!js/function "x"', '!!map', '[', ']', '{', '}', '"', "'", '|', '>', '- ', ': ',
  '#', '\t', '\n', '\n- ', '?', '@', '`', '%YAML 1.2', '---', '...', '\u0000', '\uFEFF', '𝒳', '__proto__', 'constructor',
  'replay:', 'replay:../../etc/passwd', '../../../etc/passwd', '/etc/shadow', 'mlp', 'N', 'N,N', '[N, 3]', 'x'.repeat(5000),
];

/** One mutated copy of YAML text: token replacements, line edits, byte flips and splices with `other`. */
export function mutateText(random: SeededRandom, input: string, other: string): { text: string; how: string } {
  const lines = input.split('\n');
  switch (random.int(0, 7)) {
    case 0: {
      const tokens = input.split(/(\s+|[:,[\]{}])/);
      const count = random.int(1, 4);
      for (let i = 0; i < count; i++) tokens[random.int(0, tokens.length)] = interestingTokens[random.int(0, interestingTokens.length)]!;
      return { text: tokens.join(''), how: `${count} tokens replaced` };
    }
    case 1: {
      const line = random.int(0, lines.length);
      lines.splice(line, 1);
      return { text: lines.join('\n'), how: `line ${line} removed` };
    }
    case 2: {
      const line = random.int(0, lines.length);
      lines.splice(line, 0, lines[line] ?? '');
      return { text: lines.join('\n'), how: `line ${line} duplicated` };
    }
    case 3: {
      const line = random.int(0, lines.length);
      lines[line] = `${' '.repeat(random.int(0, 6))}${(lines[line] ?? '').trimStart()}`;
      return { text: lines.join('\n'), how: `line ${line} re-indented` };
    }
    case 4: {
      const cut = random.int(0, lines.length + 1);
      const from = random.int(0, other.split('\n').length + 1);
      return { text: [...lines.slice(0, cut), ...other.split('\n').slice(from)].join('\n'), how: `splice lines 0..${cut} + other[${from}:]` };
    }
    case 5: {
      const { bytes, how } = mutateBytes(random, new TextEncoder().encode(input), new TextEncoder().encode(other));
      return { text: new TextDecoder().decode(bytes), how: `bytes: ${how}` };
    }
    default: {
      const line = random.int(0, lines.length);
      const token = interestingTokens[random.int(0, interestingTokens.length)]!;
      lines.splice(line, 0, `${' '.repeat(random.int(0, 4))}${token}`);
      return { text: lines.join('\n'), how: `line inserted at ${line}` };
    }
  }
}
