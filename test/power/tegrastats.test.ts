// The tegrastats meter: lines captured from real Jetsons (cited in src/power/tegrastats.ts), and the fake tool.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { parseTegrastatsLine, planTegrastatsRails, tegrastatsPower } from '../../src/power/tegrastats.js';

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
