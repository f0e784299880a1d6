// Make ballots with real randomness, or check ballots, for tests/unit/crypto/test_js_vectors.py
// to compare with Python's verify_ballot_string.
//
//   node frontend/test/cli-make-ballots.mjs [--bundle] < request.json > ballots.json
//
// request: {"election": "<election.json text>", "credential": "<as typed>",
//           "plaintexts": [[[0,1,…], …], …]}   (one plaintext per ballot to make)
// answer:  {"credential": "<normalised>", "public_credential": "<hex>",
//           "ballots": [{"ballot": "<text>", "tracker": "<b64>", "self_check": true}, …]}
// With --bundle the built booth bundle is used (what browsers run), else the ES modules.
//
//   node frontend/test/cli-make-ballots.mjs --verify [--bundle] < request.json
//
// request: {"election": "<text>", "ballots": ["<text>", …]}
// answer:  {"verdicts": [{"ok": true} | {"ok": false, "check": "<BallotError.check>"}, …]}
import { readFileSync } from 'node:fs';

const useBundle = process.argv.includes('--bundle');
const api = useBundle ? (await import('./load-bundle.mjs')).loadBundle() : await import('../src/belenios/index.js');

const request = JSON.parse(readFileSync(0, 'utf8'));
if (process.argv.includes('--verify')) {
  const election = api.parseElection(request.election);
  const verdicts = request.ballots.map((b) => {
    const { ok, check } = api.verifyBallot(election, b);
    return ok ? { ok } : { ok, check };
  });
  process.stdout.write(JSON.stringify({ bundle: useBundle, verdicts }) + '\n');
  process.exit(0);
}
const normalised = api.normaliseCredential(request.credential);
if (!normalised.ok) {
  process.stderr.write(`${normalised.messages.en}\n`);
  process.exit(2);
}
const election = api.parseElection(request.election);
const secret = api.deriveSecret(election.uuid, normalised.credential);
const ballots = request.plaintexts.map((plaintext) => {
  const ballot = api.createBallot(request.election, secret, plaintext);
  return { ballot, tracker: api.tracker(ballot), self_check: api.verifyBallot(election, ballot).ok };
});
process.stdout.write(
  JSON.stringify({
    credential: normalised.credential,
    public_credential: api.publicCredential(election.uuid, normalised.credential),
    bundle: useBundle,
    ballots,
  }) + '\n',
);
