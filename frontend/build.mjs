// Bundle the booth crypto for browsers: one minified classic script that defines
// `window.UrneBelenios` (one for the key ceremony's page, `window.UrneCeremony`, and one for the count page,
// `window.UrneCount`),
// committed under src/ so that the Django side needs no node.
//   npm run build
import * as esbuild from 'esbuild';

export const OUTFILE = new URL('../src/urne/booth/static/booth/belenios.js', import.meta.url).pathname;

export const options = {
  entryPoints: [new URL('./src/belenios/browser.js', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'], // BigInt, ** and optional chaining: every browser of the last years
  legalComments: 'eof', // keep noble's MIT notices
  charset: 'utf8',
  outfile: OUTFILE,
};

// The key ceremony's page (window.UrneCeremony and the holder's step page), same settings.
export const CEREMONY_OUTFILE = new URL('../src/urne/bureau/static/bureau/ceremony.js', import.meta.url).pathname;

export const ceremonyOptions = {
  ...options,
  entryPoints: [new URL('./src/ceremony/browser.js', import.meta.url).pathname],
  outfile: CEREMONY_OUTFILE,
};

// The count page's holder section (window.UrneCount), same settings.
export const COUNT_OUTFILE = new URL('../src/urne/count/static/count/count.js', import.meta.url).pathname;

export const countOptions = {
  ...options,
  entryPoints: [new URL('./src/count/browser.js', import.meta.url).pathname],
  outfile: COUNT_OUTFILE,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const opts of [options, ceremonyOptions, countOptions]) {
    const result = await esbuild.build({ ...opts, metafile: true });
    const bytes = Object.values(result.metafile.outputs)[0].bytes;
    console.log(`wrote ${opts.outfile} (${bytes} bytes)`);
  }
}
