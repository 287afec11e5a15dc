// `--region`, `--compare-regions`, `--intensity-file`, `--intensity-profile`: carbon flags shared by run and bench.
import { overrideCarbon, type CarbonOverrides } from '../carbon/resolve.js';
import { InputError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';

/** parseArgs options of the carbon flags (spread into sweepFlagOptions). */
export const carbonFlagOptions = {
  region: { type: 'string' },
  'compare-regions': { type: 'string' },
  'intensity-file': { type: 'string' },
  'intensity-profile': { type: 'string' },
} as const;

/** Help lines for the carbon flags, descriptions starting at column `column` (as the command's other lines do). */
export function carbonFlagHelp(column: number): string {
  const pad = (flag: string) => (`  ${flag}`.length < column - 1 ? `  ${flag}`.padEnd(column) : `  ${flag}   `);
  const more = ' '.repeat(column);
  return [
    `${pad('--region R')}grid of this run: ISO country code (FR), grid zone (US-CAL-CISO) or cloud region`,
    `${more}(aws:eu-west-3); bundled Electricity Maps yearly averages (see docs/carbon.md)`,
    `${pad('--compare-regions LIST')}CO2e per million samples of each recommended configuration in these regions`,
    `${more}(FR,DE,PL)`,
    `${pad('--intensity-file CSV')}hourly intensity (timestamp, gCO2e/kWh) covering the run: integrated over its real hours`,
    `${pad('--intensity-profile CSV')}the same CSV as a typical day by UTC hour (the report names the cleanest start hours)`,
  ].join('\n');
}

type CarbonFlagValues = { region?: string; 'compare-regions'?: string; 'intensity-file'?: string; 'intensity-profile'?: string };

/** The scenario with the carbon flags applied (unchanged when none is given). */
export function withCarbonFlags(scenario: Scenario, values: CarbonFlagValues): Scenario {
  const overrides: CarbonOverrides = {};
  if (values.region !== undefined) {
    if (values.region.trim() === '') throw new InputError('FLAG_INVALID', '--region: expected a region like FR, US-CAL-CISO or aws:eu-west-3, got ""', { hint: 'see docs/carbon.md for the names' });
    overrides.region = values.region.trim();
  }
  if (values['compare-regions'] !== undefined) {
    const names = values['compare-regions'].split(',').map((name) => name.trim());
    if (names.some((name) => name === '')) {
      throw new InputError('FLAG_INVALID', `--compare-regions: expected comma-separated region names like FR,DE,PL, got "${values['compare-regions']}"`, { hint: 'remove the empty name' });
    }
    overrides.compareRegions = names;
  }
  if (values['intensity-file'] !== undefined && values['intensity-profile'] !== undefined) {
    throw new InputError('FLAG_CONFLICT', '--intensity-file and --intensity-profile both name an intensity file', { hint: 'give one: --intensity-file for the run\'s real hours, --intensity-profile for a typical day' });
  }
  if (values['intensity-file'] !== undefined) overrides.intensityFile = { path: values['intensity-file'], use: 'timeline' };
  if (values['intensity-profile'] !== undefined) overrides.intensityFile = { path: values['intensity-profile'], use: 'daily-profile' };
  if (Object.keys(overrides).length === 0) return scenario;
  const carbon = overrideCarbon(scenario.carbon, overrides, process.cwd(), {
    region: '--region', compareRegions: '--compare-regions', intensityFile: values['intensity-profile'] !== undefined ? '--intensity-profile' : '--intensity-file',
  });
  return { ...scenario, carbon };
}
