// The WebGPU entry point under Node: Dawn for Node (npm package `webgpu`). Everything else in
// kernels/webgpu takes the `GPU` object as a parameter, so the same code runs in a browser or
// a VS Code webview with `navigator.gpu`; only this file knows about Dawn.
//
// Dawn crashes (SIGSEGV in its callback flush) when the object create() returns is collected
// while an adapter or device made from it is alive: callers keep the returned GPU referenced
// for the device's whole life (WebGpuDevice holds it).

/**
 * Dawn device toggles that a benchmark may pass (llama.cpp's WebGPU backend uses them). A VS Code
 * webview cannot set toggles, so figures quoted for the extension use none.
 */
export const SPEED_TOGGLES = ['disable_robustness', 'disable_workgroup_init', 'disable_polyfills_on_integer_div_and_mod'] as const;

export interface DawnToggles {
  /** Dawn features to turn on, e.g. SPEED_TOGGLES. */
  enable?: readonly string[];
  /** Dawn features to turn off, e.g. timestamp_quantization (needs allow_unsafe_apis). */
  disable?: readonly string[];
}

/** Creates Dawn's GPU object, with Dawn's defaults (what a browser gets) unless toggles say otherwise. */
export async function nodeGpu(toggles: DawnToggles = {}): Promise<GPU> {
  // `webgpu` is an ES module; a dynamic import loads it from this CommonJS build.
  const dawn = (await import('webgpu')) as { create(options: string[]): GPU };
  const options: string[] = [];
  if (toggles.enable?.length) options.push(`enable-dawn-features=${toggles.enable.join(',')}`);
  if (toggles.disable?.length) options.push(`disable-dawn-features=${toggles.disable.join(',')}`);
  return dawn.create(options);
}
