// Acquires a WebGPU adapter and device from a `GPU` object (Dawn for Node or a browser's
// navigator.gpu) and keeps all three referenced for the device's whole life. Device loss and
// uncaptured validation errors are recorded and thrown by check(): nothing fails silently.

/** No adapter or device could be had: the caller chooses another backend and says so. */
export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

/** The device was lost or reported an error it could not attribute to one call. */
export class WebGpuDeviceError extends Error {
  override name = 'WebGpuDeviceError';
}

/** Limits raised to the adapter's maxima (defaults are low: 8 storage buffers, 16 KiB shared). */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
] as const;

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Lower the workgroups-per-dimension limit the kernels plan for (tests of dispatch splitting). */
  maxWorkgroupsPerDimension?: number;
}

export class WebGpuDevice {
  private failure: Error | undefined;
  private destroyed = false;

  private constructor(
    /** Held so that Dawn for Node's instance outlives the adapter and device made from it. */
    readonly gpu: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly isFallbackAdapter: boolean,
    readonly adapterName: string,
    readonly maxWorkgroupsPerDimension: number,
  ) {
    device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
      this.failure ??= new WebGpuDeviceError(`WebGPU error on ${adapterName}: ${event.error.message}`);
    };
    void device.lost.then((info) => {
      if (!this.destroyed)
        this.failure ??= new WebGpuDeviceError(
          `WebGPU device lost on ${adapterName} (${info.reason}): ${info.message}`,
        );
    });
  }

  static async acquire(gpu: GPU, options: AcquireOptions = {}): Promise<WebGpuDevice> {
    const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
    if (!adapter) throw new WebGpuUnavailableError('no WebGPU adapter: requestAdapter() returned null');
    const requiredLimits: Record<string, number> = {};
    for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
    // Optional features the kernels use where present: GPU timestamps (benchmarks) and subgroups (the chunked scan's state split).
    const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((f) =>
      adapter.features.has(f),
    );
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    } catch (err) {
      throw new WebGpuUnavailableError(
        `WebGPU adapter refused a device: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const info = adapter.info;
    // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; implementations differ.
    const fallback = Boolean(
      (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    );
    const name =
      [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' / ') || 'unnamed adapter';
    const perDim = Math.min(
      device.limits.maxComputeWorkgroupsPerDimension,
      options.maxWorkgroupsPerDimension ?? Infinity,
    );
    return new WebGpuDevice(gpu, adapter, device, fallback, name, perDim);
  }

  get description(): string {
    return `WebGPU on ${this.adapterName}${this.isFallbackAdapter ? ' (fallback adapter)' : ''}`;
  }

  /**
   * Why backend "auto" passes this device over for the CPU, or undefined when it takes it. A
   * fallback adapter is a software rasterizer (SwiftShader): the model ran there at 75–114 tokens/s
   * against 1,000–5,000 on the CPU worker (test/webview/run.mjs), so auto prefers the CPU and
   * "webgpu" still uses it when asked.
   */
  get autoDeclineReason(): string | undefined {
    return this.isFallbackAdapter
      ? `cpu: the only WebGPU adapter is a software fallback (${this.adapterName}), slower than the CPU; set backend "webgpu" to use it anyway`
      : undefined;
  }

  /** The smallest subgroup the adapter may run (0 when it does not say). */
  get subgroupMinSize(): number {
    return (this.adapter.info as { subgroupMinSize?: number }).subgroupMinSize ?? 0;
  }

  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  /** Throws the first recorded loss or uncaptured error, and refuses work after destroy(). */
  check(): void {
    if (this.destroyed) throw new WebGpuDeviceError('WebGPU device used after dispose()');
    if (this.failure) throw this.failure;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.device.destroy();
  }
}
