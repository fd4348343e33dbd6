// A local OpenID provider that behaves as a Swedish e-ID broker does under the Swedish OpenID Connect
// profile 1.0 (https://www.oidc.se/specifications): panva's oidc-provider (OpenID-certified) with the
// authorization code flow only, PKCE S256 required, private_key_jwt client authentication, claims
// released by scope, levels of assurance (acr) and RP-initiated logout. Test persons are chosen on a
// plain HTML page instead of a real e-ID.
//
//   node server.mjs CONFIG.json      (the config is written by local/oidc_provider.py)
//
// Prints exactly `READY` on stdout when it listens; errors go to stderr. All state is in memory and
// lives as long as the process: signing keys, cookie keys, sessions, codes, tokens.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors, interactionPolicy } from 'oidc-provider';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const FORM_BODY_LIMIT = 16 * 1024;

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const persons = new Map(config.persons.map((person) => [person.sub, person]));
const supportedAcrs = [...config.acr_values]; // ordered weakest first
const defaultAcr = config.default_acr ?? supportedAcrs[supportedAcrs.length - 1];

// ---------------------------------------------------------------------------------------------
// HTML

function escapeHtml(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
  [lang="en"] { color: #555; }
  h1 [lang="en"], legend [lang="en"], label [lang="en"], button [lang="en"] { display: block; font-size: 0.85em; font-weight: normal; }
  fieldset { border: 1px solid #ccc; margin: 1rem 0; }
  ul { list-style: none; padding: 0; }
  li { margin: 0.4rem 0; }
  button { font: inherit; padding: 0.4rem 0.8rem; cursor: pointer; text-align: left; }
  .person { width: 100%; }
  code { font-size: 0.9em; }
  .error { border: 2px solid #b00020; padding: 0.5rem; color: #b00020; }
  select, input { font: inherit; padding: 0.3rem; margin: 0.2rem 0 0.6rem; }
`;

function page(ctx, { title, body, status = 200 }) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = `<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function acrLabel(acr) {
  const short = acr.split('/').pop();
  return `${short} — ${acr}`;
}

// The levels the tester may choose: every supported one, the strongest requested preselected. A
// level outside acr_values is how a tester plays a broker that answers with the level the person
// actually reached (acr_values is a voluntary request in OpenID Connect Core §3.1.2.1): the
// relying party must refuse it.
function acceptableAcrs(params) {
  const requested = (params.acr_values ?? '').split(' ').filter(Boolean);
  const wanted = supportedAcrs.filter((acr) => requested.includes(acr));
  return { levels: supportedAcrs, requested: wanted, preselected: wanted.length ? wanted[wanted.length - 1] : defaultAcr };
}

function loaSelect(id, levels, selected, requested = levels) {
  const options = levels
    .map((acr) => {
      const note = requested.length && !requested.includes(acr) ? ' (inte begärd / not requested)' : '';
      return `<option value="${escapeHtml(acr)}"${acr === selected ? ' selected' : ''}>${escapeHtml(acrLabel(acr) + note)}</option>`;
    })
    .join('\n');
  return `<label for="${id}">Tillitsnivå <span lang="en">Level of assurance</span></label>
<select id="${id}" name="loa">
${options}
</select>`;
}

function loginPage(ctx, details, { error, status = 200, loa } = {}) {
  const { uid, params } = details;
  const { levels, requested, preselected } = acceptableAcrs(params);
  const selected = levels.includes(loa) ? loa : preselected;
  const action = `/interaction/${encodeURIComponent(uid)}/login`;
  const personButtons = [...persons.values()]
    .map((person) => `<li><button class="person" type="submit" name="sub" value="${escapeHtml(person.sub)}">${escapeHtml(person.label)} <code>${escapeHtml(person.sub)}</code></button></li>`)
    .join('\n');
  const scopes = (params.scope ?? '').split(' ').filter(Boolean);
  page(ctx, {
    status,
    title: 'Logga in – test-e-legitimation / Log in – test e-ID',
    body: `<h1>Logga in med test-e-legitimation <span lang="en">Log in with a test e-ID</span></h1>
<p>Tjänsten <strong>${escapeHtml(params.client_id)}</strong> vill veta vem du är. Det här är en testleverantör med påhittade personer.
<span lang="en">The service asks who you are. This is a test provider with made-up persons.</span></p>
<p>Begärda scope <span lang="en">Requested scopes</span>: ${scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}</p>
${error ? `<p class="error" role="alert">${error}</p>` : ''}
<form id="choose-person" method="post" action="${escapeHtml(action)}">
${loaSelect('loa', levels, selected, requested)}
<fieldset>
<legend>Välj testperson <span lang="en">Choose a test person</span></legend>
<ul>
${personButtons}
</ul>
</fieldset>
</form>
<form id="other-person" method="post" action="${escapeHtml(action)}">
<fieldset>
<legend>Annan testperson <span lang="en">Another test person</span></legend>
${loaSelect('loa-other', levels, selected, requested)}
<br>
<label for="sub-other">sub</label>
<input id="sub-other" name="sub" required autocomplete="off">
<button type="submit">Logga in <span lang="en">Log in</span></button>
</fieldset>
</form>
<form id="abort" method="post" action="/interaction/${escapeHtml(encodeURIComponent(uid))}/abort">
<button type="submit">Avbryt <span lang="en">Cancel</span></button>
</form>`,
  });
}

async function logoutSource(ctx, form) {
  // `form` is oidc-provider's own hidden form (id op.logoutForm, action, xsrf); the button goes
  // inside it so one plain form carries every field.
  const button = '<button type="submit" name="logout" value="yes" autofocus>Logga ut <span lang="en">Log out</span></button>';
  const client = ctx.oidc.client?.clientId;
  page(ctx, {
    title: 'Logga ut / Log out',
    body: `<h1>Logga ut <span lang="en">Log out</span></h1>
<p>Du loggas ut från e-legitimationen${client ? ` och från <strong>${escapeHtml(client)}</strong>` : ''}.
<span lang="en">You are logging out of the e-ID${client ? ' and the service' : ''}.</span></p>
${form.replace('</form>', `${button}</form>`)}`,
  });
}

async function postLogoutSuccessSource(ctx) {
  page(ctx, {
    title: 'Utloggad / Logged out',
    body: `<h1>Du är utloggad <span lang="en">You are logged out</span></h1>
<p>Du kan stänga fönstret. <span lang="en">You may close this window.</span></p>`,
  });
}

async function renderError(ctx, out, error) {
  const status = ctx.status >= 400 ? ctx.status : (error?.statusCode ?? 500);
  page(ctx, {
    status,
    title: 'Något gick fel / Something went wrong',
    body: `<h1>Något gick fel <span lang="en">Something went wrong</span></h1>
<dl>
${Object.entries(out).map(([key, value]) => `<dt><code>${escapeHtml(key)}</code></dt><dd>${escapeHtml(value)}</dd>`).join('\n')}
</dl>`,
  });
}

// ---------------------------------------------------------------------------------------------
// Accounts, claims, grants

async function findAccount(ctx, sub) {
  const person = persons.get(sub);
  if (!person) {
    return undefined;
  }
  return {
    accountId: sub,
    // oidc-provider masks these by the granted scopes and the claims parameter.
    async claims() {
      return { ...person.claims, sub };
    },
  };
}

function claimsConfiguration() {
  // acr and auth_time ride with `openid`, so every ID token carries them (the profile requires
  // auth_time, and acr whenever acr_values was requested); they are not account claims, so the
  // userinfo response never has them.
  const claims = {
    openid: ['sub', 'auth_time', 'acr'],
    acr: null,
    auth_time: null,
    sid: null,
    iss: null,
  };
  const byScope = new Set();
  for (const [scope, names] of Object.entries(config.scopes)) {
    claims[scope] = scope === 'openid' ? [...new Set([...claims.openid, ...names])] : [...names];
    names.forEach((name) => byScope.add(name));
  }
  // Claims a person has that no scope covers can still be asked for with the claims parameter.
  for (const person of persons.values()) {
    for (const name of Object.keys(person.claims)) {
      if (!byScope.has(name) && !(name in claims)) {
        claims[name] = null;
      }
    }
  }
  return claims;
}

// First-party clients: no consent screen. Grant exactly what this request asks for, on top of what
// the session already granted the client (the issued code carries requested ∩ granted scopes).
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const accountId = oidc.session.accountId;
  const clientId = oidc.client.clientId;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
    grant = new oidc.provider.Grant({ accountId, clientId });
  }
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  const claims = [...oidc.requestParamClaims];
  if (claims.length) {
    grant.addOIDCClaims(claims);
  }
  await grant.save();
  return grant;
}

function interactionPolicyWithAcr() {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy.get('login').checks.add(new Check(
    'acr_values',
    'none of the requested acr_values is satisfied by the session',
    (ctx) => {
      const requested = (ctx.oidc.params.acr_values ?? '').split(' ').filter(Boolean);
      if (!requested.length) {
        return Check.NO_NEED_TO_PROMPT;
      }
      if (!requested.some((acr) => supportedAcrs.includes(acr))) {
        // Swedish OIDC profile 2.3: must not proceed, must answer invalid_request.
        throw new errors.InvalidRequest(
          `none of the requested acr_values is supported; supported: ${supportedAcrs.join(' ')}`,
        );
      }
      // An earlier session at another level steps up; a login just made on our page stands as chosen
      // (the tester may play a broker that answers with a level outside acr_values).
      if (ctx.oidc.session.accountId && !ctx.oidc.result?.login && !requested.includes(ctx.oidc.acr)) {
        return Check.REQUEST_PROMPT; // step up: authenticate again at a requested level
      }
      return Check.NO_NEED_TO_PROMPT;
    },
  ));
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Keys, clients, configuration

function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, use: 'sig', kid: `rsa-${randomUUID()}` },
      { ...ec, use: 'sig', alg: 'ES256', kid: `ec-${randomUUID()}` },
    ],
  };
}

function clientMetadata(client) {
  const metadata = {
    client_id: client.client_id,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'private_key_jwt',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
  for (const key of ['jwks', 'jwks_uri', 'client_secret', 'userinfo_signed_response_alg', 'id_token_signed_response_alg']) {
    if (client[key] != null) {
      metadata[key] = client[key];
    }
  }
  return metadata;
}

// oidc-provider guards every outgoing request (a client's jwks_uri) against loopback and private
// addresses. The local stack's apps publish their keys on http://localhost, so drop that guard for
// loopback hosts only; anything else keeps it.
function fetchAllowingLoopback(url, options) {
  if (LOOPBACK_HOSTS.has(new URL(url).hostname)) {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  }
  return globalThis.fetch(url, options);
}

// Cookie names carry the port: the citizen and staff providers both live on localhost, and
// browsers do not keep cookies apart by port.
const cookiePrefix = `op${config.port}`;

const configuration = {
  clients: config.clients.map(clientMetadata),
  clientAuthMethods: ['private_key_jwt', 'client_secret_basic'],
  responseTypes: ['code'],
  scopes: ['openid'],
  subjectTypes: ['public'],
  claims: claimsConfiguration(),
  acrValues: supportedAcrs,
  conformIdTokenClaims: !config.claims_in_id_token,
  allowOmittingSingleRegisteredRedirectUri: false,
  pkce: { required: () => true },
  enabledJWA: {
    clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    userinfoSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    requestObjectSigningAlgValues: ['RS256', 'PS256', 'ES256'],
  },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    requestObjects: { enabled: true, requireSignedRequestObject: false },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    revocation: { enabled: false },
    introspection: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
  },
  jwks: signingKeys(),
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    names: {
      session: `${cookiePrefix}_session`,
      interaction: `${cookiePrefix}_interaction`,
      resume: `${cookiePrefix}_resume`,
    },
  },
  ttl: {
    AccessToken: 10 * 60,
    AuthorizationCode: 60,
    IdToken: 5 * 60, // the profile: at most 5 minutes
    Interaction: 30 * 60,
    Session: 8 * 60 * 60,
    Grant: 8 * 60 * 60,
  },
  findAccount,
  loadExistingGrant,
  interactions: {
    policy: interactionPolicyWithAcr(),
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  renderError,
  fetch: fetchAllowingLoopback,
};

// The in-memory adapter is what a local test provider wants; drop just that one startup warning.
const warn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).includes('in-memory adapter is used')) {
    warn(...args);
  }
};
const provider = new Provider(config.issuer, configuration);
console.warn = warn;

// ---------------------------------------------------------------------------------------------
// Interaction routes: GET /interaction/:uid, POST /interaction/:uid/login, POST /interaction/:uid/abort

async function readForm(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new errors.InvalidRequest('expected an application/x-www-form-urlencoded body');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > FORM_BODY_LIMIT) {
      throw new errors.InvalidRequest('form body too large');
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function finish(ctx, result, mergeWithLastSubmission = false) {
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  ctx.redirect(redirectTo);
  ctx.status = 303;
}

// Consent is granted by loadExistingGrant; should a consent prompt still come up, grant what it
// names (the documented way) rather than show a page.
async function grantConsent(ctx, details) {
  const { prompt, params, session, grantId } = details;
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  grant ??= new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) {
    grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  }
  if (prompt.details.missingOIDCClaims) {
    grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  }
  await finish(ctx, { consent: { grantId: await grant.save() } }, true);
}

async function interactionDetails(ctx, uid) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) {
    throw new errors.SessionNotFound('interaction session and URL do not match');
  }
  return details;
}

// RP-Initiated Logout 1.0 §2: an OP must accept POST at end_session_endpoint as well as GET. The app
// posts, so the ID token (which may carry the personnummer) never lands in a URL or the history.
// oidc-provider offers POST only with SameSite=None cookies (which need https); here the app and the
// provider are both on localhost, one site, so the Lax session cookie travels with the POST and the
// form can be handed to the GET handler as its query.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/session/end') {
    const form = await readForm(ctx);
    ctx.method = 'GET';
    ctx.querystring = form.toString();
  }
  return next();
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/.exec(ctx.path);
  if (!match) {
    return next();
  }
  const [, uid, action] = match;
  try {
    if (ctx.method === 'GET' && !action) {
      const details = await interactionDetails(ctx, uid);
      if (details.prompt.name === 'login') {
        loginPage(ctx, details);
      } else {
        await grantConsent(ctx, details);
      }
      return undefined;
    }
    if (ctx.method === 'POST' && action === '/login') {
      const details = await interactionDetails(ctx, uid);
      const form = await readForm(ctx);
      const sub = (form.get('sub') ?? '').trim();
      const loa = form.get('loa') || acceptableAcrs(details.params).preselected;
      if (!persons.has(sub)) {
        loginPage(ctx, details, {
          status: 400,
          loa,
          error: `Okänd testperson <code>${escapeHtml(sub)}</code>. <span lang="en">Unknown test person.</span>`,
        });
        return undefined;
      }
      if (!acceptableAcrs(details.params).levels.includes(loa)) {
        loginPage(ctx, details, {
          status: 400,
          error: `Tillitsnivån <code>${escapeHtml(loa)}</code> kan inte väljas här. <span lang="en">That level of assurance cannot be chosen for this request.</span>`,
        });
        return undefined;
      }
      await finish(ctx, { login: { accountId: sub, acr: loa, remember: false } });
      return undefined;
    }
    if (ctx.method === 'POST' && action === '/abort') {
      await interactionDetails(ctx, uid);
      await finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
      return undefined;
    }
  } catch (error) {
    if (error instanceof errors.OIDCProviderError) {
      ctx.status = error.statusCode ?? 400;
      await renderError(ctx, { error: error.message, error_description: error.error_description }, error);
      return undefined;
    }
    throw error;
  }
  ctx.status = 405;
  ctx.body = 'Method Not Allowed';
  return undefined;
});

// ---------------------------------------------------------------------------------------------
// Logging: nothing per request; errors (ours and the clients') to stderr.

provider.on('server_error', (ctx, error) => {
  console.error(`server error on ${ctx?.method} ${ctx?.path}:`, error);
});
for (const event of [
  'authorization.error', 'grant.error', 'end_session.error', 'userinfo.error', 'jwks.error',
  'discovery.error', 'pushed_authorization_request.error',
]) {
  provider.on(event, (ctx, error) => {
    const detail = error.error_detail ? ` (${error.error_detail})` : '';
    console.error(`${event}: ${error.message}: ${error.error_description ?? ''}${detail}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Listen on both loopback addresses, since `localhost` may resolve to either.

function listen(host) {
  return new Promise((resolve, reject) => {
    const server = createServer(provider.callback());
    server.once('error', reject);
    server.listen(config.port, host, () => resolve(server));
  });
}

const servers = [await listen('127.0.0.1')];
try {
  servers.push(await listen('::1'));
} catch (error) {
  if (!['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes(error.code)) {
    throw error; // e.g. the port is taken on ::1 by something else
  }
}

function stop() {
  servers.forEach((server) => server.close());
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write('READY\n');
