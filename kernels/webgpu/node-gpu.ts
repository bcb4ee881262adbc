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

/** Creates Dawn's GPU object; `toggles` are Dawn feature names to enable (none by default). */
export async function nodeGpu(toggles: readonly string[] = []): Promise<GPU> {
  // `webgpu` is an ES module; a dynamic import loads it from this CommonJS build.
  const dawn = (await import('webgpu')) as { create(options: string[]): GPU };
  const options = toggles.length > 0 ? [`enable-dawn-features=${toggles.join(',')}`] : [];
  return dawn.create(options);
}
