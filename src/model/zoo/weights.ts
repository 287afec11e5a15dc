// Seeded weight tensors for the zoo: each tensor draws from its own stream, seeded by its name.
import { SeededRandom, seedFromString } from '../../stats/random.js';

/** `count` float32 values drawn from N(mean, stddev²), seeded by the tensor's name. */
export function normalWeights(name: string, count: number, stddev: number, mean = 0): Float32Array {
  const random = new SeededRandom(seedFromString(name));
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = random.normal(mean, stddev);
  return values;
}

/** `count` float32 values drawn uniformly from [low, high), seeded by the tensor's name. */
export function uniformWeights(name: string, count: number, low: number, high: number): Float32Array {
  const random = new SeededRandom(seedFromString(name));
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = low + (high - low) * random.next();
  return values;
}
