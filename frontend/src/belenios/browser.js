// Entry point of the booth bundle (src/urne/booth/static/booth/belenios.js): the API as
// `window.UrneBelenios`, frozen so that other scripts on the page cannot swap a function.
import * as api from './index.js';
import * as votecode from '../votecode/index.js';

globalThis.UrneBelenios = Object.freeze({ ...api, ...votecode });
