// The WebGPU entry point under Node: Dawn for Node (npm package `webgpu`). Everything else in
// kernels/webgpu takes the `GPU` object as a parameter, so the same code runs in a browser or
// a VS Code webview with `navigator.gpu`; only this file knows about Dawn.
//
// Dawn crashes (SIGSEGV in its callback flush) when the object create() returns is collected
// while an adapter or device made from it is alive: callers keep the returned GPU referenced
// for the device's whole life (WebGpuDevice holds it).

import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { WebGpuUnavailableError } from './device';

/**
 * Dawn device toggles that a benchmark may pass (llama.cpp's WebGPU backend uses them). A VS Code
 * webview cannot set toggles, so figures quoted for the extension use none.
 */
export const SPEED_TOGGLES = [
  'disable_robustness',
  'disable_workgroup_init',
  'disable_polyfills_on_integer_div_and_mod',
] as const;

export interface DawnToggles {
  /** Dawn features to turn on, e.g. SPEED_TOGGLES. */
  enable?: readonly string[];
  /** Dawn features to turn off, e.g. timestamp_quantization (needs allow_unsafe_apis). */
  disable?: readonly string[];
}

/**
 * Whether the Vulkan loader can find any driver manifest (ICD), by its own search rules: the
 * VK_ICD_FILENAMES / VK_DRIVER_FILES / VK_ADD_DRIVER_FILES lists, then icd.d under the XDG config
 * and data folders and /etc. Dawn prints Vulkan errors to stderr before it reports no adapter, so
 * on a Linux machine without a driver we say so ourselves instead of asking Dawn.
 */
function vulkanDriverFound(env: NodeJS.ProcessEnv = process.env): boolean {
  const listed = [env.VK_ICD_FILENAMES, env.VK_DRIVER_FILES, env.VK_ADD_DRIVER_FILES].flatMap((v) =>
    v ? v.split(':') : [],
  );
  if (listed.some((f) => f && existsSync(f))) return true;
  const xdgConfig = [
    env.XDG_CONFIG_HOME ?? join(homedir(), '.config'),
    ...(env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':'),
    '/etc',
  ];
  const xdgData = [
    env.XDG_DATA_HOME ?? join(homedir(), '.local/share'),
    ...(env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':'),
  ];
  return [...xdgConfig, ...xdgData].some((dir) => {
    const icd = join(dir, 'vulkan', 'icd.d');
    return existsSync(icd) && readdirSync(icd).some((f) => f.endsWith('.json'));
  });
}

/** Creates Dawn's GPU object, with Dawn's defaults (what a browser gets) unless toggles say otherwise. */
export async function nodeGpu(toggles: DawnToggles = {}): Promise<GPU> {
  if (process.platform === 'linux' && !vulkanDriverFound()) {
    throw new WebGpuUnavailableError(
      'no Vulkan driver: no ICD manifest in VK_ICD_FILENAMES/VK_DRIVER_FILES or any vulkan/icd.d folder (a GPU driver, or mesa-vulkan-drivers, provides one)',
    );
  }
  // `webgpu` is an ES module; a dynamic import loads it from this CommonJS build.
  const dawn = (await import('webgpu')) as { create(options: string[]): GPU };
  const options: string[] = [];
  if (toggles.enable?.length) options.push(`enable-dawn-features=${toggles.enable.join(',')}`);
  if (toggles.disable?.length) options.push(`disable-dawn-features=${toggles.disable.join(',')}`);
  return dawn.create(options);
}
