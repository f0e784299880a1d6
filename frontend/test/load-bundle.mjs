// Load the built booth bundle (src/urne/booth/static/booth/belenios.js) as a browser would:
// a classic script in a fresh global scope, which must leave `UrneBelenios` on it.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

export const BUNDLE = new URL('../../src/urne/booth/static/booth/belenios.js', import.meta.url);

export function loadBundle() {
  const window = { crypto: globalThis.crypto, TextEncoder, btoa };
  window.window = window;
  vm.createContext(window);
  vm.runInContext(readFileSync(BUNDLE, 'utf8'), window, { filename: 'belenios.js' });
  if (!window.UrneBelenios) throw new Error('the bundle did not define window.UrneBelenios');
  return window.UrneBelenios;
}
