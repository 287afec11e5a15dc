// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The tegrastats meter: lines captured from real Jetsons (cited in src/power/tegrastats.ts), and the fake tool.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { Metering } from '../../src/measure/metering.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import { createTegrastatsMeterFactory, openTegrastatsMeter, parseTegrastatsLine, planTegrastatsRails, tegrastatsPower, type StreamTool } from '../../src/power/tegrastats.js';
import { settle, SimClock } from './sim-clock.js';

// Published lines: DataDog datadog-agent's jetson check tests (Nano, TX1, AGX Xavier) and a JetPack 6 Orin Nano line.
export const lines = {
  nano: 'RAM 613/3964MB (lfb 634x4MB) SWAP 0/1982MB (cached 0MB) CPU [2%@102,1%@102,0%@102,0%@102] EMC_FREQ 0% GR3D_FREQ 0% PLL@39C CPU@40.5C PMIC@100C GPU@41C AO@46C thermal@41C POM_5V_IN 900/943 POM_5V_GPU 0/0 POM_5V_CPU 123/123',
  tx1: 'RAM 1179/3983MB (lfb 120x4MB) IRAM 0/252kB(lfb 252kB) CPU [1%@102,4%@102,0%@102,0%@102] EMC_FREQ 7%@408 GR3D_FREQ 0%@76 APE 25 AO@42.5C CPU@37.5C GPU@39C PLL@37C Tdiode@42.75C PMIC@100C Tboard@42C thermal@38.5C VDD_IN 2532/2698 VDD_CPU 76/178 VDD_GPU 19/19',
  agxXavier: 'RAM 1903/15692MB (lfb 3251x4MB) CPU [1%@1190,1%@1190,2%@1190,0%@1190,0%@1190,0%@1190,0%@1190,0%@1190] EMC_FREQ 0% GR3D_FREQ 0% AO@32.5C GPU@32C Tboard@32C Tdiode@34.75C AUX@31.5C CPU@33.5C thermal@32.9C PMIC@100C GPU 0/0 CPU 216/216 SOC 864/864 CV 0/0 VDDRQ 144/144 SYS5V 1889/1889',
  orinNano: '09-17-2026 02:10:16 RAM 1483/7620MB (lfb 105x4MB) SWAP 253/12002MB (cached 2MB) CPU [0%@729,0%@729,0%@729,0%@729,0%@729,0%@729] GR3D_FREQ 62%@612 cpu@47.75C soc2@46.718C soc0@47.25C gpu@50C tj@50C soc1@48.093C VDD_IN 4541mW/4541mW VDD_CPU_GPU_CV 521mW/521mW VDD_SOC 1446mW/1473mW',
};

describe('tegrastats lines', () => {
  test('new format (mW units): every rail, nothing else (RAM, SWAP, CPU, temperatures are not rails)', () => {
    assert.deepEqual(parseTegrastatsLine(lines.orinNano).rails, [
      { name: 'VDD_IN', currentMw: 4541, averageMw: 4541 },
      { name: 'VDD_CPU_GPU_CV', currentMw: 521, averageMw: 521 },
      { name: 'VDD_SOC', currentMw: 1446, averageMw: 1473 },
    ]);
  });

  test('old format (no units): POM_5V_IN and VDD_IN boards', () => {
    assert.deepEqual(parseTegrastatsLine(lines.nano).rails.map((r) => [r.name, r.currentMw, r.averageMw]), [['POM_5V_IN', 900, 943], ['POM_5V_GPU', 0, 0], ['POM_5V_CPU', 123, 123]]);
    assert.deepEqual(parseTegrastatsLine(lines.tx1).rails.map((r) => r.name), ['VDD_IN', 'VDD_CPU', 'VDD_GPU']);
  });

  test('the board input alone is the power; sub-rails are context, never added to it', () => {
    for (const [line, input, watts] of [[lines.orinNano, 'VDD_IN', 4.541], [lines.nano, 'POM_5V_IN', 0.9], [lines.tx1, 'VDD_IN', 2.532]] as const) {
      const parsed = parseTegrastatsLine(line);
      const plan = planTegrastatsRails(parsed.rails);
      assert.deepEqual(plan.counted, [input]);
      assert.equal(plan.scope, 'board-input');
      const { powerW, context } = tegrastatsPower(parsed, plan);
      assert.equal(powerW, watts);
      assert.equal(Object.keys(context).length, parsed.rails.length);
    }
  });

  test('no board-input rail (AGX Xavier): the rails are summed', () => {
    const parsed = parseTegrastatsLine(lines.agxXavier);
    const plan = planTegrastatsRails(parsed.rails);
    assert.equal(plan.scope, 'rails-sum');
    assert.equal(tegrastatsPower(parsed, plan).powerW, (0 + 216 + 864 + 0 + 144 + 1889) / 1000);
  });

  test('a line without rails, a line of something else, a rail that stops: named errors', () => {
    const noRails = lines.orinNano.replace(/ VDD_.*$/, '');
    assert.throws(() => parseTegrastatsLine(noRails), (e: unknown) => e instanceof MeterError && e.code === 'TEGRASTATS_NO_RAILS' && /only root/.test(e.message));
    assert.throws(() => parseTegrastatsLine('Segmentation fault (core dumped)'), (e: unknown) => e instanceof MeterError && e.code === 'TEGRASTATS_FORMAT');
    const plan = planTegrastatsRails(parseTegrastatsLine(lines.orinNano).rails);
    assert.throws(() => tegrastatsPower(parseTegrastatsLine(lines.nano), plan), /stopped printing rail VDD_IN/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The meter: on simulated time through an injected stream, and end to end with the fake tool first on PATH.

const fakeBin = path.join(import.meta.dirname, '..', 'fixtures', 'bin', 'jetson');
const withFake = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, ...extra });

type Handlers = Parameters<StreamTool>[3];
// A stream the test drives: it hands the meter's handlers to the test instead of spawning anything.
function drivenStream() {
  const state: { handlers: Handlers | null; starts: number; stops: number } = { handlers: null, starts: 0, stops: 0 };
  const stream: StreamTool = (_command, _args, _env, handlers) => {
    state.handlers = handlers;
    state.starts++;
    return { child: {} as ChildProcess, stderrTail: () => '', stop: async () => void state.stops++ };
  };
  return { state, stream };
}

// The stream's line handler, whichever receive time the core's streamTool passes (the meter stamps with its clock).
const emit = (state: { handlers: Handlers | null }, line: string) => (state.handlers!.onLines as unknown as (lines: string[], receivedMs: number) => void)([line], 0);

const orinLine = (inputMw: number) => `${lines.orinNano.replace(/ VDD_IN .*$/, '')} VDD_IN ${inputMw}mW/${inputMw}mW VDD_CPU_GPU_CV 2100mW/2100mW VDD_SOC 1300mW/1300mW`;

async function startDriven(firstLine: string) {
  const clock = new SimClock(0);
  const { state, stream } = drivenStream();
  const meter = openTegrastatsMeter({ clock, stream, periodMs: 100 });
  const started = meter.start();
  await settle();
  emit(state, firstLine);
  await started;
  return { clock, state, meter };
}

// tegrastats prints a line every 100 ms with the board power at that moment, until `t1Ms`.
async function printUntil(clock: SimClock, state: { handlers: Handlers | null }, t1Ms: number, mwAt: (tMs: number) => number) {
  while (clock.now() < t1Ms) {
    await clock.advance(100);
    emit(state, orinLine(mwAt(clock.now())));
  }
}

const within = (actual: number, expected: number, fraction: number) =>
  assert.ok(Math.abs(actual - expected) <= fraction * expected, `${actual} is not within ${fraction * 100}% of ${expected}`);

describe('tegrastats meter on simulated time', () => {
  test('constant board power: within 1%, sub-rails never added', async () => {
    const { clock, state, meter } = await startDriven(orinLine(6000));
    await printUntil(clock, state, 10_000, () => 6000);
    within(integrateEnergy(meter.samples(), 1000, 9000, 'instant').energyJ, 48, 0.01);
    assert.ok(meter.samples().every((s) => s.powerW === 6), 'VDD_IN alone (6 W), not VDD_IN + 2.1 + 1.3');
    assert.deepEqual(meter.samples()[0]!.context, { VDD_INW: 6, VDD_CPU_GPU_CVW: 2.1, VDD_SOCW: 1.3 });
    assert.equal(meter.info.scope, 'board');
    assert.match(meter.info.detail, /board input VDD_IN \(sub-rails VDD_CPU_GPU_CV, VDD_SOC kept as context, not added\)/);
    await meter.stop();
    assert.equal(state.stops, 1);
  });

  test('a square wave: within 3%', async () => {
    // 4 W / 12 W switching every 337 ms from t = 13 ms (every phase of the 100 ms lines).
    const mwAt = (tMs: number) => (Math.floor((tMs - 13) / 337) % 2 === 0 ? 12_000 : 4000);
    const { clock, state, meter } = await startDriven(orinLine(4000));
    await printUntil(clock, state, 11_000, mwAt);
    let expectedJ = 0;
    for (let t = 1000; t < 10_000; t += 1) expectedJ += mwAt(t + 0.5) / 1e6;
    within(integrateEnergy(meter.samples(), 1000, 10_000, 'instant').energyJ, expectedJ, 0.03);
    await meter.stop();
  });

  test('a line it does not know mid-run: named failure, the window marked, no 0 W; restarted on a good line', async () => {
    const { clock, state, meter } = await startDriven(orinLine(5000));
    await printUntil(clock, state, 1000, () => 5000);
    emit(state, 'NvRmMemInitNvmap failed with Permission denied');
    const failure = meter.failure() as MeterError;
    assert.equal(failure.code, 'TEGRASTATS_FORMAT');
    assert.ok(meter.samples().every((s) => s.powerW === 5));
    const metering = new Metering([meter]);
    const span = metering.energyOver(200, 900, [meter]);
    await settle();
    await settle();
    emit(state, orinLine(5000));
    await clock.advance(10);
    const result = await span;
    assert.ok(result.notes.some((n) => n.startsWith('incomplete: meter tegrastats failed during this window (tegrastats printed a line joulebench does not know') && n.endsWith('it was restarted')), result.notes.join('\n'));
    assert.equal(state.starts, 2);
    await meter.stop();
  });
});

describe('tegrastats meter: a stream that stays silent', () => {
  test('nothing printed within the startup time: TEGRASTATS_SILENT, the tool stopped', async () => {
    const clock = new SimClock(0);
    const { state, stream } = drivenStream();
    const meter = openTegrastatsMeter({ clock, stream, periodMs: 100, startupTimeoutMs: 3000 });
    const started = meter.start();
    const rejected = assert.rejects(started, (e: unknown) => e instanceof MeterError && e.code === 'TEGRASTATS_SILENT' && e.message === 'tegrastats printed nothing within 3000 ms');
    await clock.advance(3000);
    await rejected;
    assert.equal(state.stops, 1);
    assert.equal(meter.samples().length, 0);
  });
});

describe('tegrastats meter with the fake tool', () => {
  test('probe: the board input and its sub-rails; old unitless format; the AGX Xavier sum', async () => {
    const probe = (format: string) => createTegrastatsMeterFactory({ env: withFake({ FAKE_TEGRA_FORMAT: format }), periodMs: 50 }).probe({ cpuTdpWatts: null, baseDir: '.', settings: { 'powercap-root': '/x' }, gpus: null }, null);
    assert.deepEqual(await probe('orin'), { ok: true, detail: 'tegrastats --interval 50: board input VDD_IN (sub-rails VDD_CPU_GPU_CV, VDD_SOC kept as context, not added)' });
    assert.deepEqual(await probe('nano'), { ok: true, detail: 'tegrastats --interval 50: board input POM_5V_IN (sub-rails POM_5V_GPU, POM_5V_CPU kept as context, not added)' });
    assert.deepEqual(await probe('xavier'), { ok: true, detail: 'tegrastats --interval 50: the sum of rails GPU + CPU + SOC (no VDD_IN/POM_5V_IN rail on this module)' });
  });

  test('probe: no rails (root only), garbage, not installed: a reason to act on', async () => {
    const probe = (env: NodeJS.ProcessEnv) => createTegrastatsMeterFactory({ env, periodMs: 50 }).probe({ cpuTdpWatts: null, baseDir: '.', settings: { 'powercap-root': '/x' }, gpus: null }, null);
    assert.match(((await probe(withFake({ FAKE_TEGRA_FORMAT: 'norails' }))) as { reason: string }).reason, /printed no power rails .*only root/);
    assert.match(((await probe(withFake({ FAKE_TEGRA_FORMAT: 'garbage' }))) as { reason: string }).reason, /a line joulebench does not know: "NvRmMemInitNvmap failed/);
    assert.deepEqual(await probe({ ...process.env, PATH: '/nonexistent' }), { ok: false, reason: 'tegrastats not found on PATH (not an NVIDIA Jetson, or /usr/bin of L4T not on PATH)' });
  });

  test('a stream that exits mid-run: TEGRASTATS_EXITED with its message; constant power read right before', async () => {
    const meter = openTegrastatsMeter({ env: withFake({ FAKE_TEGRA_MW: '7000,1000,1000', FAKE_TEGRA_EXIT_AFTER_MS: '300' }), periodMs: 50 });
    await meter.start();
    const deadline = performance.now() + 5000;
    while (!meter.failure() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const failure = meter.failure() as MeterError;
    assert.equal(failure.code, 'TEGRASTATS_EXITED');
    assert.match(failure.message, /tegrastats exited \(code 1\): tegrastats: lost the power monitor/);
    assert.ok(meter.samples().length > 0 && meter.samples().every((s) => s.powerW === 7));
    await meter.stop();
  });
});
