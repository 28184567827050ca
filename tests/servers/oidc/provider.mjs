// A real OpenID Connect provider for Pli's tests (node-oidc-provider), modelled on Pro Santé
// Connect (MSSANTE.md §2): authorization code + PKCE for native loopback clients, a confidential
// client, refresh tokens, short access tokens, RFC 7662 introspection for the mail servers, CIBA
// in poll mode (login_hint "8<RPPS>", binding_message, acr_values eidas1), the discovery document
// also at PSC's /.well-known/wallet-openid-configuration, and a loopback-only test-control API
// under /test/ (approve/deny CIBA, read the last binding message, revoke an account's grants).
//
// Usage: node provider.mjs CONFIG.json   (written by tests/servers/oidc_provider.py)
// Never run outside the tests: passwords are compared in clear and keys live in memory.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';

import { Provider, errors } from 'oidc-provider';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const prefix = (cfg.path_prefix || '').replace(/\/$/, '');
const RESOURCE_SERVERS = new Set(cfg.resource_servers || []);

// ---------------------------------------------------------------------------------------------
// State shared with the test-control API.
const state = {
  accessTokenTtl: cfg.access_token_ttl ?? 120,
  refreshTokenTtl: cfg.refresh_token_ttl ?? 1800,
  accounts: new Map(), // sub -> { sub, password, rpps, given_name, family_name }
  pendingCiba: new Map(), // auth_req_id -> record
  lastBindingMessage: null,
  events: [], // provider events for assertions (grant.success, grant.error, ...)
};

function addAccount(a) {
  if (!a.sub) throw new Error('account without sub');
  state.accounts.set(a.sub.toLowerCase(), { ...a, sub: a.sub.toLowerCase() });
}
for (const a of cfg.accounts || []) addAccount(a);

function accountByLogin(login) {
  const key = String(login || '').trim().toLowerCase();
  if (state.accounts.has(key)) return state.accounts.get(key);
  for (const a of state.accounts.values()) {
    if (a.rpps && (a.rpps === key || `8${a.rpps}` === key)) return a;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// In-memory adapter that can also drop everything belonging to an account (revoke).
const store = new Map(); // `${model}:${id}` -> { payload, expiresAt }
const grantIndex = new Map(); // grantId -> Set(keys)

class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (payload.grantId) {
      if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
      grantIndex.get(payload.grantId).add(key);
    }
  }

  async find(id) {
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt && entry.expiresAt < Date.now()) {
      store.delete(this.key(id));
      return undefined;
    }
    return structuredClone(entry.payload);
  }

  async findByUserCode(userCode) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.userCode === userCode) return structuredClone(entry.payload);
    }
    return undefined;
  }

  async findByUid(uid) {
    for (const [key, entry] of store) {
      if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid) return structuredClone(entry.payload);
    }
    return undefined;
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of grantIndex.get(grantId) || []) store.delete(key);
    grantIndex.delete(grantId);
  }
}

function revokeAccount(sub) {
  let revoked = 0;
  for (const [key, entry] of [...store]) {
    const p = entry.payload;
    if ((key.startsWith('Grant:') && p.accountId === sub) || (key.startsWith('Session:') && p.accountId === sub)) {
      store.delete(key);
      revoked += 1;
      if (key.startsWith('Grant:')) {
        const grantId = key.slice('Grant:'.length);
        for (const k of grantIndex.get(grantId) || []) store.delete(k);
        grantIndex.delete(grantId);
      }
    }
  }
  // Tokens without a grant index entry (should not exist) are dropped too.
  for (const [key, entry] of [...store]) {
    if (entry.payload.accountId === sub && /^(AccessToken|RefreshToken|AuthorizationCode):/.test(key)) {
      store.delete(key);
      revoked += 1;
    }
  }
  return revoked;
}

// ---------------------------------------------------------------------------------------------
function html(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'application/json') {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(data);
}

// ---------------------------------------------------------------------------------------------
function rsaJwk() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: crypto.randomUUID() };
}

function claimsFor(account) {
  return {
    sub: account.sub,
    email: account.sub,
    email_verified: true,
    given_name: account.given_name,
    family_name: account.family_name,
    preferred_username: account.rpps,
    // PSC exposes the national identifier as SubjectNameID ("8" + RPPS).
    SubjectNameID: account.rpps ? `8${account.rpps}` : undefined,
  };
}

async function startServer() {
  const listener = cfg.tls ? https.createServer({ cert: fs.readFileSync(cfg.tls.cert), key: fs.readFileSync(cfg.tls.key) }) : http.createServer();
  await new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(cfg.port || 0, cfg.host || '127.0.0.1', resolve);
  });
  const { port } = listener.address();
  const origin = `${cfg.tls ? 'https' : 'http'}://${cfg.public_host || cfg.host || '127.0.0.1'}:${port}`;
  const issuer = `${origin}${prefix}`;

  const provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    clients: cfg.clients,
    jwks: { keys: [rsaJwk()] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    findAccount: async (ctx, id) => {
      const account = state.accounts.get(String(id).toLowerCase());
      if (!account) return undefined;
      return { accountId: account.sub, claims: async () => claimsFor(account) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'preferred_username'],
      scope_all: ['email', 'email_verified', 'given_name', 'family_name', 'preferred_username', 'SubjectNameID'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'scope_all'],
    acrValues: ['eidas1'],
    pkce: {
      methods: ['S256'],
      // Required for public clients (RFC 8252 §8.1); optional but verified for confidential ones.
      required: (ctx, client) => client.clientAuthMethod === 'none',
    },
    ttl: {
      AccessToken: () => state.accessTokenTtl,
      RefreshToken: () => state.refreshTokenTtl,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: () => cfg.ciba_ttl ?? 300,
      IdToken: 3600,
      Interaction: 600,
      Session: 4 * 3600,
      Grant: 4 * 3600,
    },
    // PSC hands refresh tokens to its clients without offline_access: do the same.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: cfg.rotate_refresh_tokens ?? true,
    extraTokenClaims: async (ctx, token) => (token.accountId ? { email: token.accountId, username: token.accountId } : undefined),
    interactions: {
      url: (ctx, interaction) => `${prefix}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) => {
          // Resource servers (Dovecot, the SMTP server) may only validate access tokens.
          if (RESOURCE_SERVERS.has(client.clientId)) return token.kind === 'AccessToken';
          return client.clientAuthMethod !== 'none' || token.clientId === client.clientId;
        },
      },
      ciba: {
        enabled: true,
        deliveryModes: ['poll'],
        processLoginHint: async (ctx, loginHint) => accountByLogin(loginHint)?.sub,
        processLoginHintToken: async () => undefined,
        validateBindingMessage: async (ctx, bindingMessage) => {
          if (bindingMessage && bindingMessage.length > 64) {
            throw new errors.InvalidBindingMessage('binding_message longer than 64 characters');
          }
        },
        validateRequestContext: async () => undefined,
        verifyUserCode: async () => undefined,
        triggerAuthenticationDevice: async (ctx, request, account, client) => {
          const record = {
            auth_req_id: request.jti,
            sub: account.accountId,
            client_id: client.clientId,
            binding_message: request.params.binding_message ?? null,
            login_hint: request.params.login_hint ?? null,
            scope: request.scope,
            acr_values: request.params.acr_values ?? null,
            created_at: Date.now() / 1000,
          };
          state.pendingCiba.set(request.jti, record);
          state.lastBindingMessage = record.binding_message;
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = html('Erreur', `<pre id="error">${esc(out.error)}: ${esc(out.error_description)}</pre>`);
    },
  });

  for (const name of ['grant.success', 'grant.error', 'introspection.error', 'backchannel_authentication.success',
    'backchannel_authentication.error', 'authorization.success', 'authorization.error', 'grant.revoked',
    'server_error']) {
    provider.on(name, (ctx, err) => {
      const e = err instanceof Error ? err : (ctx instanceof Error ? ctx : undefined);
      state.events.push({
        event: name,
        at: Date.now() / 1000,
        grant_type: ctx?.oidc?.params?.grant_type,
        client_id: ctx?.oidc?.client?.clientId,
        error: e?.error || e?.message,
        error_description: e?.error_description,
        error_detail: e?.error_detail,
      });
      if (name === 'server_error') console.error('server_error', e);
    });
  }

  const callback = provider.callback();

  async function interaction(req, res, rest) {
    const [uid, action] = rest.split('/');
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) return send(res, 400, { error: 'interaction mismatch' });
      const { prompt, params } = details;
      const base = `${prefix}/interaction/${uid}`;
      if (req.method === 'GET') {
        if (prompt.name === 'login') {
          return send(res, 200, loginPage(base, params.client_id), 'text/html');
        }
        return send(res, 200, consentPage(base, params), 'text/html');
      }
      const form = new URLSearchParams(await readBody(req));
      if (action === 'login') {
        const account = accountByLogin(form.get('login'));
        if (!account || account.password !== form.get('password')) {
          return send(res, 200, loginPage(base, params.client_id, 'Identifiant ou mot de passe incorrect'), 'text/html');
        }
        return provider.interactionFinished(req, res, {
          login: { accountId: account.sub, acr: 'eidas1', amr: ['pwd'], remember: true },
        }, { mergeWithLastSubmission: false });
      }
      if (action === 'confirm') {
        const { accountId } = details.session;
        let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
        if (!grant) grant = new provider.Grant({ accountId, clientId: params.client_id });
        const missing = prompt.details || {};
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      if (action === 'abort') {
        return provider.interactionFinished(req, res, {
          error: 'access_denied', error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
      }
      return send(res, 404, { error: 'unknown interaction action' });
    } catch (err) {
      return send(res, 400, html('Erreur', `<pre id="error">${esc(err.name)}: ${esc(err.message)}</pre>`), 'text/html');
    }
  }

  function loginPage(base, clientId, error) {
    return html('Connexion', `${error ? `<p id="login-error">${esc(error)}</p>` : ''}
<form id="login" method="post" action="${base}/login">
  <input type="hidden" name="client" value="${esc(clientId)}">
  <label>Identifiant <input name="login" autocomplete="username"></label>
  <label>Mot de passe <input type="password" name="password"></label>
  <button type="submit">Se connecter</button>
</form>`);
  }

  function consentPage(base, params) {
    return html('Autorisation', `<p>${esc(params.client_id)} demande : ${esc(params.scope)}</p>
<form id="consent" method="post" action="${base}/confirm">
  <button type="submit">Autoriser</button>
</form>
<form id="abort" method="post" action="${base}/abort"><button type="submit">Refuser</button></form>`);
  }

  async function testApi(req, res, path) {
    const remote = req.socket.remoteAddress || '';
    if (!(remote.startsWith('127.') || remote === '::1' || remote === '::ffff:127.0.0.1')) {
      return send(res, 403, { error: 'loopback only' });
    }
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
    const pick = () => {
      const all = [...state.pendingCiba.values()];
      const found = all.filter((r) => (!body.auth_req_id || r.auth_req_id === body.auth_req_id)
        && (!body.sub || r.sub === String(body.sub).toLowerCase()));
      return found[found.length - 1];
    };
    switch (`${req.method} ${path}`) {
      case 'GET /test/health':
        return send(res, 200, { ok: true, issuer });
      case 'POST /test/accounts':
        addAccount(body);
        return send(res, 201, { sub: body.sub.toLowerCase() });
      case 'GET /test/ciba/pending':
        return send(res, 200, [...state.pendingCiba.values()]);
      case 'GET /test/ciba/last-binding-message':
        return send(res, 200, { binding_message: state.lastBindingMessage });
      case 'POST /test/ciba/approve': {
        const record = pick();
        if (!record) return send(res, 404, { error: 'no pending CIBA request' });
        const grant = new provider.Grant({ accountId: record.sub, clientId: record.client_id });
        grant.addOIDCScope(record.scope);
        await grant.save();
        await provider.backchannelResult(record.auth_req_id, grant, {
          acr: 'eidas1', amr: ['mfa'], authTime: Math.floor(Date.now() / 1000),
        });
        state.pendingCiba.delete(record.auth_req_id);
        return send(res, 200, record);
      }
      case 'POST /test/ciba/deny': {
        const record = pick();
        if (!record) return send(res, 404, { error: 'no pending CIBA request' });
        await provider.backchannelResult(record.auth_req_id, new errors.AccessDenied(body.error_description || 'end-user denied the authentication'));
        state.pendingCiba.delete(record.auth_req_id);
        return send(res, 200, record);
      }
      case 'POST /test/revoke':
        return send(res, 200, { revoked: revokeAccount(String(body.sub).toLowerCase()) });
      case 'POST /test/config':
        // `!= null`: JSON null (Python None) means "leave unchanged", like a missing key.
        if (body.access_token_ttl != null) state.accessTokenTtl = body.access_token_ttl;
        if (body.refresh_token_ttl != null) state.refreshTokenTtl = body.refresh_token_ttl;
        return send(res, 200, { access_token_ttl: state.accessTokenTtl, refresh_token_ttl: state.refreshTokenTtl });
      case 'GET /test/events':
        return send(res, 200, state.events);
      default:
        return send(res, 404, { error: `unknown test endpoint ${path}` });
    }
  }

  listener.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, origin);
      if (url.pathname.startsWith('/test/')) return await testApi(req, res, url.pathname);
      if (prefix) {
        if (!url.pathname.startsWith(`${prefix}/`) && url.pathname !== prefix) return send(res, 404, { error: 'not found' });
        let rest = url.pathname.slice(prefix.length) || '/';
        // Pro Santé Connect publishes its discovery document at this non-standard path.
        if (rest === '/.well-known/wallet-openid-configuration') rest = '/.well-known/openid-configuration';
        if (rest.startsWith('/interaction/')) return await interaction(req, res, rest.slice('/interaction/'.length));
        req.originalUrl = `${prefix}${rest}${url.search}`;
        req.url = `${rest}${url.search}`;
      } else {
        let rest = url.pathname;
        if (rest === '/.well-known/wallet-openid-configuration') rest = '/.well-known/openid-configuration';
        if (rest.startsWith('/interaction/')) return await interaction(req, res, rest.slice('/interaction/'.length));
        req.url = `${rest}${url.search}`;
      }
      return callback(req, res);
    } catch (err) {
      console.error(err);
      if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(err) });
      return undefined;
    }
  });

  const ready = { port, issuer, pid: process.pid };
  fs.writeFileSync(`${cfg.ready_file}.tmp`, JSON.stringify(ready));
  fs.renameSync(`${cfg.ready_file}.tmp`, cfg.ready_file);
  console.log(`ready ${issuer}`);

  const shutdown = () => {
    listener.close();
    listener.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

startServer().catch((err) => {
  console.error(err);
  process.exit(1);
});
