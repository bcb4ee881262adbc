// The harness page script (bundled by test/webview/run.mjs): applies a theme, fetches packed
// outputs, decodes them with the host's codec and mounts them with the renderer's mountOutput,
// exactly as the notebook renderer does. window.harness exposes the mounted views to the driver.
import { decodeOutput } from '../../protocol/track-codec';
import { mountOutput } from '../../webview/renderer/mount-output';
import { THEMES } from './themes.mjs';

const params = new URLSearchParams(location.search);
const theme = THEMES[params.get('theme') ?? 'light'];
document.body.className = theme.bodyClass;
for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
document.body.style.background = 'var(--vscode-editor-background)';
document.body.style.margin = '12px';

const requests = [];
const actions = {
  save: async (request) => {
    requests.push({ type: 'export', ...request });
    return `asked the host to save ${request.suggestedName}`;
  },
  generateFrom: async (record, position) => {
    requests.push({ type: 'generateFrom', record, position });
    return `asked the host to generate after ${position}`;
  },
};

async function load(name) {
  const section = document.createElement('div');
  section.id = `out-${name}`;
  section.style.marginBottom = '24px';
  document.body.append(section);
  const bytes = new Uint8Array(await (await fetch(`${name}.bin`)).arrayBuffer());
  const { summary, blocks } = decodeOutput(bytes);
  return mountOutput(section, summary, blocks, actions);
}

const harness = { requests, outputs: {}, ready: null };
window.harness = harness;
harness.ready = (async () => {
  for (const name of (params.get('outputs') ?? 'lambda').split(',')) harness.outputs[name] = await load(name);
  for (const o of Object.values(harness.outputs)) {
    o.dna?.draw();
    o.mutagenesis?.draw();
    if (o.wav) await o.wav.ready;
  }
})();
