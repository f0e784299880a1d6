// Entry point of the count bundle (src/urne/count/static/count/count.js): the API as
// `window.UrneCount`, frozen, and the page's section started once the document is parsed.
import * as api from './index.js';
import { start } from './page.js';

globalThis.UrneCount = Object.freeze({ ...api });
if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
