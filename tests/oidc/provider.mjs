// A real OpenID Provider for the single sign-on tests: the OpenID-certified `oidc-provider`
// package, configured by the JSON file named on the command line (tests/fixtures_oidc.py writes
// it): { "port": 0, "issuer": "http://127.0.0.1:<port>", "clients": [ ... ] }.
//
// Besides the provider's own endpoints it serves:
//   PUT /__test__/accounts         {"<account id>": {"claims": {...}, "amr": [...],
//                                   "id_token": {...}}}: the people who may sign in; "id_token"
//                                   changes the ID token the token endpoint answers with, signed
//                                   again with the provider's own key ("expired": true moves
//                                   iat and exp into the past, "foreign_key": true signs with a
//                                   key the provider never published), so that the tests can
//                                   send a wrong issuer, audience, nonce or signature, or an
//                                   expired token, through a real flow.
//   GET  /interaction/<uid>        a sign-in page (the account id, filled in from login_hint),
//                                   plain HTML without script; consent is given at once.
//   POST /interaction/<uid>        signs in the account posted.
// It prints {"ready": true} on stdout once it listens.

import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map();
const KID = 'collaborate-test-key';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey: foreignKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sign(payload, key) {
  const header = { alg: 'RS256', typ: 'JWT', kid: KID };
  const encode = (part) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function tampered(idToken) {
  const payload = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
  const changes = accounts.get(payload.sub)?.id_token;
  if (!changes) return idToken;
  const { expired, foreign_key: foreign, ...claims } = changes;
  const now = Math.floor(Date.now() / 1000);
  const times = expired ? { iat: now - 1200, auth_time: now - 1200, exp: now - 600 } : {};
  return sign({ ...payload, ...times, ...claims }, foreign ? foreignKey : privateKey);
}

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: [signingJwk] },
  pkce: { required: () => true },
  // Claims go in the ID token, as Entra ID puts them: Collaborate reads only the ID token.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'oid', 'tid', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['collaborate-test-cookie-key'] },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description)}</p></body></html>`;
  },
});

// After the token endpoint has answered: the ID token as the test asked for it.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: tampered(ctx.body.id_token) };
  }
});

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function page(res, uid, account, message) {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!DOCTYPE html><html lang="en"><head><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="account">Account</label> <input id="account" name="account" value="${escapeHtml(account)}">
<button type="submit">Sign in to the test identity provider</button>
</form></main></body></html>`);
}

async function consent(details) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    const grantId = await consent(details);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  const byEmail = [...accounts].find(([, a]) => a.claims.email === details.params.login_hint);
  if (req.method !== 'POST') return page(res, details.uid, byEmail ? byEmail[0] : '');
  const accountId = new URLSearchParams(await body(req)).get('account') || '';
  const account = accounts.get(accountId);
  if (!account) return page(res, details.uid, accountId, 'No such account');
  const login = { accountId, ...(account.amr ? { amr: account.amr } : {}) };
  return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    const { pathname } = new URL(req.url, config.issuer);
    if (pathname === '/__test__/accounts' && req.method === 'PUT') {
      for (const [id, account] of Object.entries(JSON.parse(await body(req)))) {
        accounts.set(id, { claims: {}, ...account });
      }
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    } else if (pathname.startsWith('/interaction/')) {
      await interaction(req, res);
    } else {
      handle(req, res);
    }
  } catch (error) {
    res.statusCode = 500;
    res.setHeader('Content-Type', 'text/plain');
    res.end(String(error && error.stack));
  }
});

server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`);
});
