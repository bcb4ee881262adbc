// WebGPU's buffer-usage and map-mode bits (fixed by the spec). Dawn for Node defines the
// GPUBufferUsage globals only when its `globals` are installed; these constants need none.
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

export const MapMode = { READ: 0x0001 } as const;
