// @vscode/webview-ui-toolkit controls (buttons, dropdowns) registered once per page, and small
// helpers that make them with their label set as text.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeOption } from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption());
  registered = true;
}

export function button(label: string, onClick: () => void, secondary = true): HTMLElement {
  registerToolkit();
  const b = document.createElement('vscode-button');
  if (secondary) b.setAttribute('appearance', 'secondary');
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/** A dropdown of `labels` (shown as text); `onChange` gets the chosen index. */
export function dropdown(labels: readonly string[], selected: number, onChange: (index: number) => void): HTMLElement {
  registerToolkit();
  const d = document.createElement('vscode-dropdown');
  labels.forEach((label, i) => {
    const o = document.createElement('vscode-option');
    o.textContent = label;
    o.setAttribute('value', String(i));
    if (i === selected) o.setAttribute('selected', '');
    d.append(o);
  });
  d.addEventListener('change', () => onChange(Number((d as HTMLElement & { value: string }).value)));
  return d;
}
