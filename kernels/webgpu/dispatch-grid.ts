// Splits a 1-D count of workgroups into a 2-D grid when it exceeds the device's
// maxComputeWorkgroupsPerDimension (65535 by default). Kernels recover the flat workgroup
// index with flatWorkgroup() (wgsl-common.ts) and ignore indices past their work.

export function splitWorkgroups(count: number, maxPerDimension: number): [number, number] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`workgroup count must be a positive integer, got ${count}`);
  if (count <= maxPerDimension) return [count, 1];
  const y = Math.ceil(count / maxPerDimension);
  if (y > maxPerDimension) throw new RangeError(`${count} workgroups exceed ${maxPerDimension}^2`);
  return [Math.ceil(count / y), y];
}
