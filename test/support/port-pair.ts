// Two connected channel Ports in one process, for tests: a message posted on one arrives at the
// other's listeners on a later task, structured-cloned with its transfer list as postMessage does.
import type { Port, Transfer } from '../../protocol/channel';

export interface PortPair {
  a: Port;
  b: Port;
  /** Every message posted on a and on b, in order (what crossed the boundary). */
  sent: { from: 'a' | 'b'; message: unknown }[];
}

export function portPair(): PortPair {
  const listeners = { a: new Set<(m: unknown) => void>(), b: new Set<(m: unknown) => void>() };
  const sent: PortPair['sent'] = [];
  const port = (from: 'a' | 'b', to: 'a' | 'b'): Port => ({
    post(message: unknown, transfer?: Transfer) {
      sent.push({ from, message });
      const copy: unknown = structuredClone(message, { transfer });
      setTimeout(() => {
        for (const f of listeners[to]) f(copy);
      }, 0);
    },
    subscribe(listener) {
      listeners[from].add(listener);
      return () => listeners[from].delete(listener);
    },
  });
  return { a: port('a', 'b'), b: port('b', 'a'), sent };
}
