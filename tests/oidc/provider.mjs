// A local OpenID provider configured like FranceConnect (npm `oidc-provider`, a certified
// implementation), for the tests only: authorisation code flow with PKCE (S256, required),
// `state` and `nonce`, the eIDAS levels as `acr` values, FranceConnect's identity scopes and
// claims, its own signing key. Started by tests/factories/oidc.py on 127.0.0.1.
//
// argv: port, then a JSON file: {"issuer": …, "client": {client_id, client_secret,
// redirect_uris}, "people": {login: {given_name, family_name, birthdate, gender,
// birthplace, birthcountry}}, "jwk": optional private JWK (else one is generated)}.
// The login page (GET /interaction/<uid>) is a plain form: a person's login and the eIDAS
// level to give ("eidas1".."eidas3"); submitting it logs them in and grants the scopes asked.
// Prints {"ready": port, "jwk_kid": …} on stdout once listening.
import { readFileSync } from 'node:fs';
import http from 'node:http';

// The packages live in frontend/node_modules (the project's one npm tree).
const modules = new URL('../../frontend/node_modules/', import.meta.url);
const { generateKeyPair, exportJWK } = await import(new URL('jose/dist/webapi/index.js', modules));
const { default: Provider } = await import(new URL('oidc-provider/lib/index.js', modules));

const port = Number(process.argv[2] || 0);
const conf = JSON.parse(readFileSync(process.argv[3], 'utf8'));

const SCOPES = ['openid', 'given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'];
const claims = Object.fromEntries(SCOPES.slice(1).map((s) => [s, [s]]));
claims.openid = ['sub'];

let jwk = conf.jwk;
if (!jwk) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: `k${Date.now()}` };
}

const provider = new Provider(conf.issuer, {
  clients: [{
    ...conf.client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-only-cookie-key'] },
  scopes: SCOPES,
  claims,
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  // FranceConnect gives the identity at the userinfo endpoint; the ID token holds sub, acr.
  conformIdTokenClaims: true,
  findAccount: async (_ctx, id) => (conf.people[id] ? {
    accountId: id,
    claims: async () => ({ sub: id, ...conf.people[id] }),
  } : undefined),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});
provider.proxy = false;

function form(uid, params) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>FranceConnect (test)</title></head>
<body><main><h1>FranceConnect (fournisseur de test)</h1>
<p>Demandé : ${params.acr_values || '—'}</p>
<form method="post" action="/interaction/${uid}">
<label for="login">Identifiant</label> <input id="login" name="login" autocomplete="off">
<label for="acr">Niveau eIDAS</label> <select id="acr" name="acr"><option>eidas1</option><option selected>eidas2</option><option>eidas3</option></select>
<button type="submit">Se connecter</button></form></main></body></html>`;
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(req.url.split('?')[0]);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(form(details.uid, details.params));
    }
    const data = await body(req);
    const login = data.get('login');
    if (!conf.people[login]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(form(details.uid, details.params).replace('<form', '<p role="alert">Inconnu</p><form'));
    }
    const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, {
      login: { accountId: login, acr: data.get('acr') || 'eidas1' },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    return res.end(String(err));
  }
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: server.address().port, jwk_kid: jwk.kid })}\n`);
});
