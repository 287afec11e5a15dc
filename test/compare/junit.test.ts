// The comparison as JUnit XML, read back with an independent XML reader (test/fixtures/parse-xml.ts): well-formed,
// one test case per key × metric, a <failure> per gated regression or missing key, everything escaped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, renderComparisonJunit } from '../../src/compare/junit.js';
import { parseXml, type XmlElement } from '../fixtures/parse-xml.js';
import { comparedKey, comparison, metricComparison, thresholdP99 } from './helpers.js';

const child = (element: XmlElement, name: string): XmlElement | undefined => element.children.find((c) => c.name === name);

test('the oracle reader is strict: unescaped < and &, mismatched or unclosed tags and forbidden characters fail', () => {
  assert.deepEqual(parseXml('<a x="1 &amp; 2">t &lt;&#62;</a>'), { name: 'a', attributes: { x: '1 & 2' }, children: [], text: 't <>' });
  assert.throws(() => parseXml('<a>1 & 2</a>'), /bare &/);
  assert.throws(() => parseXml('<a x="<"/>'), /not a tag/);
  assert.throws(() => parseXml('<a><b></a></b>'), /closes <b>/);
  assert.throws(() => parseXml('<a>'), /never closed/);
  assert.throws(() => parseXml('<a/><b/>'), /second root/);
  assert.throws(() => parseXml('<a>\u0001</a>'), /forbids/);
});

test('escapeXml: the five special characters, & first (no double escaping); forbidden control characters dropped', () => {
  assert.equal(escapeXml(`<a & "b" 'c'>`), '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
  assert.equal(escapeXml('&lt;'), '&amp;lt;');
  assert.equal(escapeXml('a\u0000b\u0007c\u000Bd\u000Ce\u001Ff\uFFFEg\uFFFF'), 'abcdefg');
  assert.equal(escapeXml('tab\there\nline\rcr'), 'tab\there\nline\rcr', 'tab, LF and CR are allowed in XML 1.0');
  assert.equal(escapeXml('µJ → ±'), 'µJ → ±');
  // Whatever the input, the result sits in an attribute and reads back unchanged (less the forbidden characters).
  const nasty = `"><x a='1'>&amp;\u0002`;
  assert.equal(parseXml(`<t v="${escapeXml(nasty)}">${escapeXml(nasty)}</t>`).attributes.v, `"><x a='1'>&amp;`);
});

// b8: samples/J failed the gate (estimated energy), p99 by threshold with a note; b1 missing; int8 new.
function mixed() {
  return comparison([
    comparedKey('mlp/fp32/cpu/b8', [metricComparison({ estimated: true }), thresholdP99({ note: 'p99 of older results: threshold only' })], ['candidate window 3 <invalid> & dropped']),
    { key: 'mlp/fp32/cpu/b1', status: 'missing in candidate', metrics: [], failed: true, notes: ['failed: "OOM"'] },
    { key: 'mlp/int8/cpu/b1', status: 'new in candidate', metrics: [], failed: false, notes: [] },
  ]);
}

test('well-formed, one suite named after the runs, counts that add up', () => {
  const xml = renderComparisonJunit(mixed());
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  assert.ok(xml.endsWith('</testsuites>\n'));
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  // 2 metric cases for b8 + 1 for the missing key + 1 for the new key = 4; failures: the regression and the missing key.
  assert.deepEqual(root.attributes, { name: 'joulebench', tests: '4', failures: '2', skipped: '1' });
  assert.equal(root.children.length, 1);
  const suite = root.children[0]!;
  assert.deepEqual(suite.attributes, { name: 'joulebench compare base-1 → cand-2', tests: '4', failures: '2', errors: '0', skipped: '1', timestamp: '2026-12-01T00:00:00.000Z' });
  assert.deepEqual(suite.children.map((c) => [c.name, c.attributes.classname, c.attributes.name]), [
    ['testcase', 'mlp/fp32/cpu/b8', 'samples/J (estimated)'],
    ['testcase', 'mlp/fp32/cpu/b8', 'p99 ms'],
    ['testcase', 'mlp/fp32/cpu/b1', 'measured'],
    ['testcase', 'mlp/int8/cpu/b1', 'measured'],
  ]);
});

test('a gated regression: <failure> with the one-line summary, the details and the gate; its output beside it', () => {
  const [regressed, p99] = parseXml(renderComparisonJunit(mixed())).children[0]!.children;
  const summary = 'samples/J (estimated): 400 → 360 (−10.0%, CI −12.0% … −8.0%, p <0.001): REGRESSED — fails the 5% gate';
  const failure = child(regressed!, 'failure')!;
  assert.deepEqual(failure.attributes, { message: summary, type: 'regression' });
  // Key notes follow the summary (decoded: the writer escaped < > & on the way out).
  assert.equal(failure.text, `${summary}\ncandidate window 3 <invalid> & dropped\nfails the 5% gate (--max-regression)`);
  assert.equal(child(regressed!, 'system-out')!.text, `${summary}\ncandidate window 3 <invalid> & dropped`);
  // A metric that passed has output only, its own note last.
  assert.equal(child(p99!, 'failure'), undefined);
  assert.equal(child(p99!, 'system-out')!.text, 'p99 ms: 2.00 → 2.05 (+2.5%, threshold, no test): no significant change (by threshold)\ncandidate window 3 <invalid> & dropped\np99 of older results: threshold only');
});

test('a key missing in the candidate fails; a new key is skipped', () => {
  const [, , missing, added] = parseXml(renderComparisonJunit(mixed())).children[0]!.children;
  assert.deepEqual(missing!.children.map((c) => [c.name, c.attributes]), [['failure', { message: 'mlp/fp32/cpu/b1: missing in candidate — FAILS the gate (failed: "OOM")', type: 'missing' }]]);
  assert.deepEqual(added!.children.map((c) => [c.name, c.attributes]), [['skipped', { message: 'mlp/int8/cpu/b1: new in candidate' }]]);
});

test('keys, run ids and notes with markup or control characters still give well-formed XML that reads back', () => {
  const c = comparison([comparedKey('m<1>&"q\'/fp32/cpu/b1', [metricComparison({ failed: false, verdict: 'improved', change: 0.05 })], ['bell\u0007 rang'])]);
  c.baseline = { ...c.baseline, runId: 'a&b' };
  c.candidate = { ...c.candidate, runId: '<c>' };
  const root = parseXml(renderComparisonJunit(c));
  const suite = root.children[0]!;
  assert.equal(suite.attributes.name, 'joulebench compare a&b → <c>');
  assert.equal(suite.children[0]!.attributes.classname, 'm<1>&"q\'/fp32/cpu/b1');
  assert.match(child(suite.children[0]!, 'system-out')!.text, /\nbell rang$/);
  assert.equal(root.attributes.failures, '0');
});

test('nothing compared: an empty, well-formed suite', () => {
  const root = parseXml(renderComparisonJunit(comparison([])));
  assert.deepEqual(root.attributes, { name: 'joulebench', tests: '0', failures: '0', skipped: '0' });
  assert.deepEqual(root.children[0]!.children, []);
});
