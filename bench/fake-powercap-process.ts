// A fake powercap tree updated in real time by this separate process (so the meter-cost benchmark does not count
// the fake's own file writes). Prints the tree's root on its first line and runs until killed.
import { createFakePowercap } from '../test/fixtures/powercap.js';

const fake = createFakePowercap({ packages: [{ watts: 40, dramWatts: 5 }] });
process.stdout.write(`${fake.root}\n`);
const close = () => {
  fake.close();
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
setInterval(() => {}, 1 << 30);
