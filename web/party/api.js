// web/party/api.js — the party API as the page calls it.
//
// The operator's bearer token arrives once in the URL fragment
// (#token=<base64url>, set by the four-pane view), is kept in this tab's
// sessionStorage under "mpcc-operator-token", and the fragment is removed at
// once (history.replaceState) so it is neither shown nor bookmarked. Every
// call sends "Authorization: Bearer <token>". A 401 clears the token and
// calls the handler set with onUnauthorized (the page shows its sign-in
// panel again).
//
//   const r = await api('POST', '/skr/release');
//   if (r.ok) ... r.data      // r.status: HTTP status, 0 = network failure
//   await streamEvents('/partner/analyze-stream', (ev) => ...);
//
// Server-sent events need the Authorization header, which EventSource
// cannot send, so the stream is read with fetch() and split here.

const TOKEN_KEY = 'mpcc-operator-token';
let unauthorizedHandler = () => {};

export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: nothing stored either
  }
}

// Takes "#token=..." (also "#...&token=...") off the address bar into
// sessionStorage. Returns whether a token was found.
export function takeTokenFromHash() {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash) return false;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  history.replaceState(null, '', window.location.pathname + window.location.search);
  if (!token) return false;
  storeToken(token.trim());
  return true;
}

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

function headers(extra = {}) {
  const h = {...extra};
  const token = storedToken();
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

function refused(status, data) {
  if (status === 401) {
    clearToken();
    unauthorizedHandler(data?.message || 'the token was refused');
  }
}

// One JSON call. Never throws: a network failure is {ok: false, status: 0}.
export async function api(method, path, body) {
  const init = {method, headers: headers({Accept: 'application/json'}), cache: 'no-store'};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    return {ok: false, status: 0, data: {status: 'error', message: `Request Failed: ${e.message}`}};
  }
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = {status: 'error', message: text.slice(0, 500)};
  }
  if (data === null || typeof data !== 'object') data = {value: data};
  refused(res.status, data);
  return {ok: res.ok, status: res.status, data};
}

// Reads a text/event-stream response and calls onEvent(json) for each event
// ("event:" names it when the data has no "type"). Resolves when the stream
// ends; returns {ok, status, message}.
export async function streamEvents(path, onEvent) {
  let res;
  try {
    res = await fetch(path, {headers: headers({Accept: 'text/event-stream'}), cache: 'no-store'});
  } catch (e) {
    return {ok: false, status: 0, message: e.message};
  }
  if (!res.body) return {ok: false, status: res.status, message: 'no response body'};
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const dispatch = (block) => {
    let name = '';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) return;
    let ev;
    try {
      ev = JSON.parse(data.join('\n'));
    } catch {
      ev = {type: 'error', message: data.join('\n').slice(0, 500)};
    }
    if (name && ev && typeof ev === 'object' && !ev.type) ev.type = name;
    onEvent(ev);
  };
  try {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true}).replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
    if (buffer.trim()) dispatch(buffer);
  } catch (e) {
    return {ok: false, status: res.status, message: e.message};
  }
  if (res.status === 401) refused(401, {message: 'the token was refused'});
  return {ok: res.ok, status: res.status, message: ''};
}
