// Entry point of the ceremony bundle (src/urne/bureau/static/bureau/ceremony.js): the API as
// `window.UrneCeremony`, frozen, and the holder's page started once the document is parsed.
import * as api from './index.js';
import { start } from './page.js';

globalThis.UrneCeremony = Object.freeze({ ...api });
if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
