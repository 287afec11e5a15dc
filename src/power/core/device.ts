// Device ids as an open type: `cuda:0`, `rocm:1`, `dml:0`, `cpu`, `webgpu` — any vendor, an optional index.

/** A device a meter measures or a configuration runs on. `vendor` is open: a new meter brings its own. */
export interface DeviceId {
  vendor: string;
  /** The device's number within its vendor (`cuda:1` → 1); null for `cpu`, `webgpu` and other unnumbered devices. */
  index: number | null;
}

/** `cuda:1` → { vendor: 'cuda', index: 1 }; `webgpu` → { vendor: 'webgpu', index: null }. */
export function parseDevice(text: string): DeviceId {
  const match = /^([A-Za-z][\w.-]*):(\d+)$/.exec(text);
  return match ? { vendor: match[1]!, index: Number(match[2]) } : { vendor: text, index: null };
}

/** The string result.json records (`MeterInfo.device`): `cuda:1`, `cpu`. */
export function formatDevice(id: DeviceId): string {
  return id.index === null ? id.vendor : `${id.vendor}:${id.index}`;
}
