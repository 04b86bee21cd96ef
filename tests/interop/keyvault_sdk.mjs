// The real Azure Key Vault keys SDK (@azure/keyvault-keys 4.10.2, driven the
// way the SDK interop spec, azure-sdk-interop.md Part A, says) against real
// mpcc processes on loopback, over TLS with a throwaway local CA:
//
//   simulated PSP (psp init/serve/launch/report), identity service (IMDS
//   tokens for the SDK's credential), attestation service (MAA tokens for a
//   guest's report), key vault (the SDK's peer).
//
// Checks: create an exportable RSA-HSM 3072 key with a release policy, get it
// (latest, by version, missing -> 404), release it with an attestation token
// of the guest (default enc, RSA_AES_KEY_WRAP_256, with a nonce, by version),
// verify the JWS with x5c[0], unwrap the released key with the guest's
// transfer key and prove (a signature) it is the vault's key;
// refusals (tampered token -> 403 attestation token layer, token of a guest
// with other host data -> 403 release policy / hostdata, identity without an
// access policy -> 403); delete, then 404.
//
//   node tests/interop/keyvault_sdk.mjs <path to mpcc>
//
// @azure/keyvault-keys resolves from the project's node_modules (scripts/deps
// runs `npm ci`). Needs the openssl binary (test CA). Every process it starts
// is stopped on exit, also on failure or a signal; a reaper process kills them
// should this script itself be killed. Prints one JSON report on stdout
// (progress on stderr); exit 0 when every check passed, 1 otherwise, 2 usage.
// Environment: MPCC_SDK_TEST_DEADLINE_MS (give up after, default 150000),
// MPCC_SDK_TEST_KEEP=1 (keep the work directory), MPCC_SDK_TEST_TRACE=1
// (request and response bodies of every SDK request in the report).
import { execFile, execFileSync, spawn } from 'node:child_process';
import {
  X509Certificate, constants as cryptoConstants, createDecipheriv, createHash, createPrivateKey,
  createPublicKey, generateKeyPairSync, privateDecrypt, randomBytes, sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const started = Date.now();
const MPCC = process.argv[2];
if (!MPCC) {
  console.error('usage: node keyvault_sdk.mjs <path to mpcc>');
  process.exit(2);
}
// The whole run must end before CTest's TIMEOUT so that the services are
// stopped by us, not orphaned (CMakeLists.txt sets it 20 s below).
const DEADLINE_MS = Number(process.env.MPCC_SDK_TEST_DEADLINE_MS || 150000);
const KEEP = process.env.MPCC_SDK_TEST_KEEP === '1';  // keep the work dir (debugging)
const TRACE = process.env.MPCC_SDK_TEST_TRACE === '1';  // bodies of every request in the report

// ------------------------------------------------------------------ report

const report = {
  test: 'keyvault_sdk',
  sdk: null,
  node: process.version,
  services: {},
  checks: [],
  timings_ms: {},
  requests: [],
  passed: 0,
  failed: 0,
};

function log(msg) {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
}

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    report.checks.push({ name, ok: true, ms: Date.now() - t0, ...(detail ? { detail } : {}) });
    report.passed += 1;
    log(`ok   ${name}`);
    return true;
  } catch (err) {
    report.checks.push({ name, ok: false, ms: Date.now() - t0, error: describeError(err) });
    report.failed += 1;
    log(`FAIL ${name}: ${describeError(err)}`);
    return false;
  }
}

function describeError(err) {
  if (!err) return String(err);
  if (err.name === 'RestError') {
    return `RestError statusCode=${err.statusCode} code=${err.code} message=${err.message}`;
  }
  return err.message || String(err);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function assertEq(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

async function rejects(promise, what) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what} succeeded; a refusal was expected`);
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const fromB64url = (s) => Buffer.from(s, 'base64url');

// ------------------------------------------------------------ processes

const children = new Set();  // {name, proc}
let reaper = null;
let cleaningUp = null;

// A shell that kills every pid written to its stdin once that stdin closes:
// if this script dies without cleaning up (SIGKILL), the pipe closes and the
// services go with it, then the work directory (unless kept). On a normal
// exit we stop the services ourselves and then kill the reaper.
function startReaper(workDir) {
  reaper = spawn('/bin/sh', ['-c',
    // "<pid>" adds a process, "x <pid>" forgets one that has exited.
    'pids=""; while read -r a b; do ' +
    'if [ "$a" = x ]; then pids=$(echo " $pids " | sed "s/ $b / /"); else pids="$pids $a"; fi; ' +
    'done; pids=$(echo $pids); [ -z "$pids" ] && exit 0; ' +
    'alive() { for p in $pids; do kill -0 $p 2>/dev/null && return 0; done; return 1; }; ' +
    'kill -TERM $pids 2>/dev/null; i=0; ' +
    'while [ $i -lt 100 ] && alive; do sleep 0.1; i=$((i+1)); done; ' +
    'kill -KILL $pids 2>/dev/null; [ -n "$1" ] && rm -rf "$1"; exit 0',
  'mpcc-keyvault-sdk-reaper', KEEP ? '' : workDir],
  { stdio: ['pipe', 'ignore', 'ignore'] });
  reaper.on('error', () => {});
  reaper.stdin.on('error', () => {});
}

function track(name, proc, { quiet = false } = {}) {
  const entry = { name, proc, exited: false, stderr: '', quiet };
  proc.on('exit', () => {
    entry.exited = true;
    if (reaper && reaper.stdin.writable && proc.pid) reaper.stdin.write(`x ${proc.pid}\n`);
  });
  proc.stderr.on('data', (d) => {
    if (entry.stderr.length < 64 * 1024) entry.stderr += d.toString();
  });
  children.add(entry);
  if (reaper && proc.pid) reaper.stdin.write(`${proc.pid}\n`);
  return entry;
}

// SIGTERM to every service, SIGKILL to those still running after 10 s.
// Records how long each took to stop (report.services.<name>.stop_ms).
async function stopAll() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    const waits = [];
    for (const c of children) {
      if (c.exited) continue;
      const t0 = Date.now();
      const info = c.quiet ? {} : (report.services[c.name] ||= {});
      waits.push(new Promise((resolve) => {
        const t = setTimeout(() => {
          info.stop = 'did not stop within 10 s of SIGTERM: SIGKILL';
          try { c.proc.kill('SIGKILL'); } catch { /* gone */ }
        }, 10000);
        c.proc.once('exit', (code, signal) => {
          clearTimeout(t);
          info.stop_ms = Date.now() - t0;
          info.exit = code ?? signal;
          resolve();
        });
      }));
      try { c.proc.kill('SIGTERM'); } catch { /* gone */ }
    }
    await Promise.all(waits);
    if (reaper) {
      try { reaper.kill('SIGTERM'); } catch { /* gone */ }
    }
  })();
  return cleaningUp;
}

// Synchronous last resort (process 'exit' handlers cannot wait).
function killAllSync() {
  for (const c of children) {
    if (!c.exited) {
      try { c.proc.kill('SIGKILL'); } catch { /* gone */ }
    }
  }
  if (reaper && reaper.exitCode === null) {
    try { reaper.kill('SIGTERM'); } catch { /* gone */ }
  }
}
let workDir = null;  // removed on every way out unless MPCC_SDK_TEST_KEEP=1
function removeWorkDir() {
  if (workDir && !KEEP) {
    try { rmSync(workDir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
}
process.on('exit', () => {
  killAllSync();
  removeWorkDir();
});

// Ends the run early (signal, deadline): stops the services, prints the
// report, exits 1.
let aborting = false;
function abort(name, why) {
  if (aborting) return;
  aborting = true;
  report.checks.push({ name, ok: false, error: why });
  report.failed += 1;
  log(`${why}: stopping the services`);
  stopAll().finally(() => {
    removeWorkDir();
    report.timings_ms.total = Date.now() - started;
    report.result = 'fail';
    console.log(JSON.stringify(report, null, 2));
    process.exit(1);
  });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => abort('signal', `interrupted by ${sig}`));
}

// Runs a short mpcc command; returns its stdout. Throws with its stderr.
function mpcc(args, { env } = {}) {
  try {
    return execFileSync(MPCC, args, {
      encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
    });
  } catch (err) {
    throw new Error(`mpcc ${args.slice(0, 2).join(' ')} failed (${err.status ?? err.signal}): ` +
      `${(err.stderr || err.message || '').toString().trim()}`);
  }
}

// The same without blocking (runs while other set-up goes on).
function mpccAsync(args) {
  return new Promise((resolve, reject) => {
    const proc = execFile(MPCC, args, { encoding: 'utf8', timeout: 120000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`mpcc ${args.slice(0, 2).join(' ')} failed (${err.code ?? err.signal}): ` +
          `${(stderr || err.message || '').toString().trim()}`));
      } else {
        resolve(stdout);
      }
    });
    // Tracked like the services, so that a failure elsewhere stops it too.
    track(`mpcc ${args.slice(0, 2).join(' ')}`, proc, { quiet: true });
  });
}

// Starts a long-running service that prints its URL on its first stdout line.
function startService(name, args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(MPCC, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = track(name, proc);
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`${name} printed no URL within 30 s; stderr: ${entry.stderr.trim()}`));
    }, 30000);
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${name}: ${err.message}`));
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening; stderr: ${entry.stderr.trim()}`));
    });
    proc.stdout.on('data', (d) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim().replace(/\/+$/, ''));
      }
    });
  });
}

async function waitFor(what, pred, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------- https

let CA_PEM = null;

function httpsRequest(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    // agent: false, so that no idle keep-alive connection delays the
    // services' shutdown.
    const req = https.request(url, { method, headers, ca: CA_PEM, agent: false, timeout: 30000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// ------------------------------------------------------------ TLS (openssl)

function makeTestCa(dir) {
  const ossl = (args) => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
    } catch (err) {
      throw new Error(`openssl ${args[0]} failed: ${(err.stderr || err.message || '').toString().trim()}`);
    }
  };
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-sha256',
    '-subj', '/CN=mpcc keyvault SDK interop test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  ossl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '',
  ].join('\n'));
  ossl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-sha256',
    '-extfile', 'server.ext', '-out', 'server.pem']);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

// ------------------------------------------------------------ credential

// A TokenCredential that gets tokens from the identity service exactly the
// way a workload gets them from IMDS. Records every scope asked for.
function imdsCredential(identityUrl, credentialFile, scopesSeen) {
  const secret = readFileSync(credentialFile, 'utf8').trim();
  return {
    async getToken(scopes, options) {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      scopesSeen.push({ scopes: list, tenantId: options?.tenantId, enableCae: options?.enableCae });
      const resource = list[0].replace(/\/\.default$/, '');
      const url = `${identityUrl}/metadata/identity/oauth2/token?api-version=2018-02-01` +
        `&resource=${encodeURIComponent(resource)}`;
      const r = await httpsRequest('GET', url, {
        headers: { Metadata: 'true', 'X-IDENTITY-HEADER': secret },
      });
      if (r.status !== 200 || !r.json?.access_token) {
        throw new Error(`identity service: ${r.status} ${r.text}`);
      }
      return { token: r.json.access_token, expiresOnTimestamp: Number(r.json.expires_on) * 1000 };
    },
  };
}

// A pipeline policy (after authentication) that records every request the
// SDK puts on the wire and the answer.
function recorder(label) {
  return {
    position: 'perRetry',
    policy: {
      name: `mpccRecorder-${label}`,
      async sendRequest(request, next) {
        const u = new URL(request.url);
        const entry = {
          client: label,
          method: request.method,
          path: u.pathname + u.search,
          authorization: request.headers.has('authorization') ? 'Bearer …' : null,
          request_body_bytes: typeof request.body === 'string' ? request.body.length : 0,
        };
        report.requests.push(entry);
        try {
          const response = await next(request);
          entry.status = response.status;
          entry.content_type = response.headers.get('content-type') ?? null;
          if (response.status >= 400 && response.bodyAsText) {
            entry.error_body = response.bodyAsText.slice(0, 4000);
          }
          if (TRACE) {
            entry.request_body = typeof request.body === 'string' ? request.body.slice(0, 4000) : null;
            entry.response_body = response.bodyAsText?.slice(0, 8000) ?? null;
          }
          if (response.status === 401) {
            entry.www_authenticate = response.headers.get('www-authenticate') ?? null;
          }
          return response;
        } catch (err) {
          entry.error = describeError(err);
          throw err;
        }
      },
    },
  };
}

// The last recorded error body (parsed) of `client` for a request whose path
// contains `pathPart`.
function lastErrorBody(client, pathPart) {
  for (let i = report.requests.length - 1; i >= 0; i -= 1) {
    const r = report.requests[i];
    if (r.client === client && r.path.includes(pathPart) && r.error_body) {
      try { return JSON.parse(r.error_body); } catch { return null; }
    }
  }
  return null;
}

// ------------------------------------------------------------ release blob

const ENC_OAEP_HASH = {
  CKM_RSA_AES_KEY_WRAP: 'sha1',
  RSA_AES_KEY_WRAP_256: 'sha256',
  RSA_AES_KEY_WRAP_384: 'sha384',
};

// Verifies the release JWS with x5c[0] and unwraps the key it carries with the
// transfer private key. Returns {header, payload, blob, privateKey}.
function openRelease(value, transferPrivateKey) {
  assert(typeof value === 'string', `release value is a ${typeof value}`);
  const parts = value.split('.');
  assertEq(parts.length, 3, 'compact JWS part count');
  assert(parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p)), 'JWS parts are not base64url without padding');
  const header = JSON.parse(fromB64url(parts[0]).toString('utf8'));
  const payload = JSON.parse(fromB64url(parts[1]).toString('utf8'));
  assertEq(header.alg, 'RS256', 'JWS alg');
  assert(Array.isArray(header.x5c) && header.x5c.length >= 1, 'JWS header has no x5c');
  const leafDer = Buffer.from(header.x5c[0], 'base64');
  const leaf = new X509Certificate(leafDer);
  const ok = cryptoVerify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), leaf.publicKey,
    fromB64url(parts[2]));
  assert(ok, 'JWS signature does not verify with x5c[0]');
  if (header['x5t#S256'] !== undefined) {
    assertEq(header['x5t#S256'], b64url(createHash('sha256').update(leafDer).digest()),
      'x5t#S256 (SHA-256 of x5c[0])');
  }
  const keyHsm = payload?.response?.key?.key?.key_hsm;
  assert(typeof keyHsm === 'string' && keyHsm.length > 0, 'payload.response.key.key.key_hsm missing');
  const blob = JSON.parse(fromB64url(keyHsm).toString('utf8'));
  const enc = blob?.header?.enc;
  assert(enc in ENC_OAEP_HASH, `transfer blob header.enc ${JSON.stringify(enc)} unknown`);
  const ciphertext = fromB64url(blob.ciphertext);
  const modulusBytes = transferPrivateKey.asymmetricKeyDetails.modulusLength / 8;
  assert(ciphertext.length > modulusBytes + 16, `ciphertext is only ${ciphertext.length} bytes`);
  const kek = privateDecrypt({
    key: transferPrivateKey,
    padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: ENC_OAEP_HASH[enc],
  }, ciphertext.subarray(0, modulusBytes));
  assert([16, 24, 32].includes(kek.length), `unwrapped KEK is ${kek.length} bytes`);
  const decipher = createDecipheriv(`id-aes${kek.length * 8}-wrap-pad`, kek, Buffer.from('A65959A6', 'hex'));
  const pkcs8 = Buffer.concat([decipher.update(ciphertext.subarray(modulusBytes)), decipher.final()]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return { header, payload, blob, privateKey, kekBytes: kek.length, ciphertextBytes: ciphertext.length };
}

// Proves `privateKey` is the key whose public half the SDK returned.
function provesSameKey(privateKey, sdkKey) {
  assertEq(privateKey.asymmetricKeyType, 'rsa', 'released key type');
  const pub = createPublicKey({
    key: { kty: 'RSA', n: b64url(sdkKey.key.n), e: b64url(sdkKey.key.e) },
    format: 'jwk',
  });
  const message = Buffer.from(`mpcc keyvault SDK interop ${randomBytes(8).toString('hex')}`);
  const signature = cryptoSign('sha256', message, privateKey);
  assert(cryptoVerify('sha256', message, pub, signature),
    'a signature by the released key does not verify with the SDK key\'s n/e');
  const jwk = privateKey.export({ format: 'jwk' });
  assertEq(jwk.n, b64url(sdkKey.key.n), 'released key modulus vs SDK key.n');
}

// ------------------------------------------------------------------- main

async function main() {
  let sdk;
  try {
    sdk = await import('@azure/keyvault-keys');
  } catch (err) {
    throw new Error(`cannot load the npm package '@azure/keyvault-keys' (${err.code}). ` +
      'Install the Node dependencies first: scripts/deps (runs `npm ci` in the project root).');
  }
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../node_modules/@azure/keyvault-keys/package.json',
      import.meta.url), 'utf8'));
    report.sdk = `@azure/keyvault-keys ${pkg.version}`;
  } catch {
    report.sdk = '@azure/keyvault-keys (version unknown)';
  }
  const { KeyClient } = sdk;
  if (!existsSync(MPCC)) throw new Error(`no mpcc binary at ${MPCC}`);
  // The SDK honours proxy variables; loopback must never go through one.
  process.env.NO_PROXY = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');
  process.env.no_proxy = process.env.NO_PROXY;

  const D = mkdtempSync(join(tmpdir(), 'mpcc-keyvault-sdk-'));
  workDir = D;
  if (KEEP) report.work_dir = D;
  startReaper(D);
  try {
    await run(D, KeyClient);
  } finally {
    const t0 = Date.now();
    await stopAll();
    report.timings_ms.stop_services = Date.now() - t0;
    const leftovers = [...children].filter((c) => !c.exited).map((c) => c.name);
    if (leftovers.length) log(`WARNING: still running after stop: ${leftovers.join(', ')}`);
    for (const c of children) {
      if (!c.quiet && c.stderr && report.failed > 0) {
        report.services[c.name] = { ...(report.services[c.name] || {}), stderr_tail: c.stderr.slice(-3000) };
      }
    }
    removeWorkDir();
  }
}

async function run(D, KeyClient) {
  const setupStart = Date.now();
  const timed = async (what, fn) => {
    const t = Date.now();
    const v = await fn();
    report.timings_ms[what] = Date.now() - t;
    return v;
  };
  // The simulated chip (ARK/ASK/VCEK keys: the slowest step) is made while
  // the TLS material, identities and the identity and vault services are set
  // up; only the attestation service needs it.
  const pspDir = join(D, 'psp');
  const pspInit = timed('psp_init', () => mpccAsync(['psp', 'init', '--state-dir', pspDir]));
  pspInit.catch(() => {});  // awaited below; no unhandled rejection meanwhile

  // --- TLS
  const tls = await timed('test_ca', () => makeTestCa(D));
  CA_PEM = readFileSync(tls.ca, 'utf8');
  const tlsArgs = ['--tls-cert', tls.cert, '--tls-key', tls.key];

  // --- identity
  const idDir = join(D, 'id');
  const [deployer, stranger] = await timed('identity_provision', async () => [
    JSON.parse(await mpccAsync(['identity', 'provision', '--state-dir', idDir, '--name', 'deployer'])),
    JSON.parse(await mpccAsync(['identity', 'provision', '--state-dir', idDir, '--name', 'stranger'])),
  ]);
  const idPort = await freePort();
  const identityUrl = await timed('identity_start', () => startService('identity', ['serve', 'identity',
    '--state-dir', idDir, '--port', String(idPort), ...tlsArgs]));
  report.services.identity = { url: identityUrl };

  // --- key vault
  const kvDir = join(D, 'kv');
  const vaultUrl = await timed('keyvault_start', () => startService('keyvault', ['serve', 'keyvault',
    '--state-dir', kvDir, '--name', 'contoso', '--port', '0', ...tlsArgs,
    '--identity-issuer', identityUrl, '--ca-cert', tls.ca]));
  report.services.keyvault = { url: vaultUrl };
  await mpccAsync(['keyvault', 'access', 'set', '--state-dir', kvDir, '--object-id', deployer.object_id,
    '--permissions', 'all']);

  // The guest's transfer key pair (TpmEphemeralEncryptionKey).
  const transfer = generateKeyPairSync('rsa', { modulusLength: 2048 });

  // --- simulated PSP and two guests
  await pspInit;
  const psp = track('psp', spawn(MPCC, ['psp', 'serve', '--state-dir', pspDir],
    { stdio: ['ignore', 'ignore', 'pipe'] }));
  await waitFor('the PSP control socket', () => {
    if (psp.exited) throw new Error(`psp serve exited early: ${psp.stderr.trim()}`);
    return existsSync(join(pspDir, 'psp.sock'));
  });
  const pspChain = join(D, 'psp-chain.pem');
  writeFileSync(pspChain, await mpccAsync(['psp', 'certs', '--state-dir', pspDir, '--format', 'pem']));
  const measurement = randomBytes(48).toString('hex');
  const hostData = randomBytes(32).toString('hex');
  let otherHostData = randomBytes(32).toString('hex');
  while (otherHostData === hostData) otherHostData = randomBytes(32).toString('hex');
  const launch = async (guest, hd) => JSON.parse(await mpccAsync(['psp', 'launch', '--state-dir', pspDir,
    '--guest', guest, '--measurement', measurement, '--host-data', hd, '--json']));
  const contoso = await launch('contoso', hostData);
  const other = await launch('other', otherHostData);
  report.services.psp = { guests: { contoso: { host_data: hostData }, other: { host_data: otherHostData } } };

  // --- attestation
  const attestationUrl = await timed('attestation_start', () => startService('attestation', ['serve',
    'attestation', '--state-dir', join(D, 'att'), '--port', '0', ...tlsArgs,
    '--trust-simulated-root', pspChain]));
  report.services.attestation = { url: attestationUrl };
  report.timings_ms.setup = Date.now() - setupStart;
  log(`services up: identity ${identityUrl}, attestation ${attestationUrl}, vault ${vaultUrl}`);

  // --- attestation tokens, the way a TEE gets them
  let t0 = Date.now();
  const transferJwk = transfer.publicKey.export({ format: 'jwk' });
  const runtime = Buffer.from(JSON.stringify({
    keys: [{
      kid: 'TpmEphemeralEncryptionKey', kty: 'RSA', key_ops: ['encrypt'],
      n: transferJwk.n, e: transferJwk.e,
    }],
  }), 'utf8');
  const reportData = Buffer.concat([createHash('sha256').update(runtime).digest(), Buffer.alloc(32)]);

  async function attest(guestName, channel) {
    const reportFile = join(D, `${guestName}-report.bin`);
    const chainFile = join(D, `${guestName}-chain.pem`);
    mpcc(['psp', 'report', '--channel', channel, '--report-data', reportData.toString('hex'),
      '--out', reportFile, '--certs-out', chainFile]);
    const snpReport = readFileSync(reportFile);
    assertEq(snpReport.length, 1184, `${guestName}: report size`);
    const inner = JSON.stringify({
      SnpReport: b64url(snpReport),
      VcekCertChain: b64url(readFileSync(chainFile)),
    });
    const body = JSON.stringify({
      report: b64url(Buffer.from(inner, 'utf8')),
      runtimeData: { data: b64url(runtime), dataType: 'JSON' },
    });
    const r = await httpsRequest('POST', `${attestationUrl}/attest/SevSnpVm?api-version=2022-08-01`, {
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      body,
    });
    if (r.status !== 200 || typeof r.json?.token !== 'string') {
      throw new Error(`attest ${guestName}: ${r.status} ${r.text}`);
    }
    return r.json.token;
  }

  let maaToken = null;
  let otherToken = null;
  await check('attestation: token for guest contoso (runtime key bound by REPORT_DATA)', async () => {
    maaToken = await attest('contoso', contoso.channel);
    const claims = JSON.parse(fromB64url(maaToken.split('.')[1]).toString('utf8'));
    assertEq(claims.iss, attestationUrl, 'iss');
    assertEq(claims['x-ms-attestation-type'], 'sevsnpvm', 'x-ms-attestation-type');
    assertEq(claims['x-ms-sevsnpvm-hostdata'], hostData, 'x-ms-sevsnpvm-hostdata');
    assertEq(claims['x-ms-sevsnpvm-is-debuggable'], false, 'x-ms-sevsnpvm-is-debuggable');
    assertEq(claims['x-ms-sevsnpvm-reportdata'], reportData.toString('hex'), 'x-ms-sevsnpvm-reportdata');
    assertEq(claims['x-ms-runtime']?.keys?.[0]?.n, transferJwk.n, 'x-ms-runtime.keys[0].n');
    return { iss: claims.iss, hostdata: claims['x-ms-sevsnpvm-hostdata'] };
  });
  await check('attestation: token for guest other (different host data)', async () => {
    otherToken = await attest('other', other.channel);
    const claims = JSON.parse(fromB64url(otherToken.split('.')[1]).toString('utf8'));
    assertEq(claims['x-ms-sevsnpvm-hostdata'], otherHostData, 'x-ms-sevsnpvm-hostdata');
  });
  report.timings_ms.attestation = Date.now() - t0;
  if (!maaToken) throw new Error('no attestation token: the release checks cannot run');

  // --- the SDK
  const deployerScopes = [];
  const clientOptions = (label) => ({
    serviceVersion: '7.4',
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: CA_PEM },
    additionalPolicies: [recorder(label)],
  });
  const client = new KeyClient(vaultUrl,
    imdsCredential(identityUrl, deployer.credential_file, deployerScopes), clientOptions('deployer'));

  const name = `sdk-${randomBytes(4).toString('hex')}`;
  const policyText = JSON.stringify({
    version: '1.0.0',
    anyOf: [{
      authority: attestationUrl,
      allOf: [
        { claim: 'x-ms-attestation-type', equals: 'sevsnpvm' },
        { claim: 'x-ms-sevsnpvm-hostdata', equals: hostData },
        { claim: 'x-ms-sevsnpvm-is-debuggable', equals: false },
      ],
    }],
  });
  const policyBytes = new Uint8Array(Buffer.from(policyText, 'utf8'));
  report.release_policy = JSON.parse(policyText);

  t0 = Date.now();
  let key = null;
  await check('createKey RSA-HSM 3072, exportable, with a release policy', async () => {
    key = await client.createKey(name, 'RSA-HSM', {
      keySize: 3072, exportable: true, releasePolicy: { encodedPolicy: policyBytes },
    });
    const idPattern = new RegExp(`^${vaultUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/keys/${name}/[0-9a-f]{32}$`);
    assert(idPattern.test(key.id), `key.id ${key.id} is not ${vaultUrl}/keys/${name}/<32 hex>`);
    assertEq(key.name, name, 'key.name');
    assertEq(key.keyType, 'RSA-HSM', 'key.keyType');
    assertEq(key.key?.n?.length, 384, 'key.key.n length (bytes)');
    assertEq(b64url(key.key.e), 'AQAB', 'key.key.e');
    assertEq(key.properties.exportable, true, 'properties.exportable');
    assertEq(key.properties.enabled, true, 'properties.enabled');
    assertEq(key.properties.vaultUrl, vaultUrl, 'properties.vaultUrl');
    assert(key.properties.createdOn instanceof Date && !Number.isNaN(key.properties.createdOn.getTime()),
      'properties.createdOn is not a date');
    const sent = Buffer.from(policyBytes);
    const got = key.properties.releasePolicy?.encodedPolicy;
    assert(got && Buffer.from(got).equals(sent),
      `releasePolicy.encodedPolicy ${got ? Buffer.from(got).toString('utf8') : got} differs from the policy sent`);
    return { id: key.id, createdOn: key.properties.createdOn.toISOString() };
  });
  report.timings_ms.create_key = Date.now() - t0;

  await check('credential: the SDK asked for scope https://vault.azure.net/.default', async () => {
    assert(deployerScopes.length >= 1, 'getToken was never called');
    for (const s of deployerScopes) {
      assertEq(JSON.stringify(s.scopes), JSON.stringify(['https://vault.azure.net/.default']), 'scopes');
    }
    const first = report.requests.find((r) => r.client === 'deployer');
    assert(first && first.authorization === null && first.status === 401,
      `the first request should be bodyless, unauthenticated and get 401; got ${JSON.stringify(first)}`);
    assert(/^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"$/
      .test(first.www_authenticate ?? ''), `WWW-Authenticate: ${first.www_authenticate}`);
    return { getToken_calls: deployerScopes.length, tenantId: deployerScopes[0].tenantId };
  });

  if (!key) throw new Error('createKey failed: the remaining checks need the key');

  await check('getKey(name) and getKey(name, {version}) return the created key', async () => {
    const latest = await client.getKey(name);
    const byVersion = await client.getKey(name, { version: key.properties.version });
    const summary = (k) => JSON.stringify({
      id: k.id, name: k.name, kty: k.keyType, n: b64url(k.key.n), e: b64url(k.key.e),
      version: k.properties.version, exportable: k.properties.exportable,
      enabled: k.properties.enabled, created: k.properties.createdOn?.getTime(),
      policy: k.properties.releasePolicy?.encodedPolicy ? b64url(k.properties.releasePolicy.encodedPolicy) : null,
    });
    assertEq(summary(latest), summary(byVersion), 'getKey(name) vs getKey(name, {version})');
    assertEq(summary(latest), summary(key), 'getKey(name) vs createKey result');
  });

  await check('getKey of a missing key: RestError 404 KeyNotFound', async () => {
    const err = await rejects(client.getKey(`${name}-missing`), 'getKey of a missing key');
    assertEq(err.name, 'RestError', 'error name');
    assertEq(err.statusCode, 404, 'statusCode');
    assertEq(err.code, 'KeyNotFound', 'code');
  });

  t0 = Date.now();
  await check('releaseKey (default enc): JWS verifies with x5c[0], key unwraps to the vault key', async () => {
    const released = await client.releaseKey(name, maaToken);
    const r = openRelease(released.value, transfer.privateKey);
    assertEq(r.payload.response.key.key.kid, key.id, 'payload.response.key.key.kid');
    assertEq(r.payload.request?.enc, 'CKM_RSA_AES_KEY_WRAP', 'payload.request.enc');
    assertEq(r.blob.header?.enc, 'CKM_RSA_AES_KEY_WRAP', 'transfer blob header.enc');
    assertEq(r.blob.header?.kid, 'TpmEphemeralEncryptionKey', 'transfer blob header.kid');
    assertEq(r.payload.request?.['api-version'], '7.4', 'payload.request.api-version');
    provesSameKey(r.privateKey, key);
    return { kek_bytes: r.kekBytes, ciphertext_bytes: r.ciphertextBytes, request: r.payload.request };
  });
  await check('releaseKey {algorithm: RSA_AES_KEY_WRAP_256}: unwraps with OAEP SHA-256', async () => {
    const released = await client.releaseKey(name, maaToken, { algorithm: 'RSA_AES_KEY_WRAP_256' });
    const r = openRelease(released.value, transfer.privateKey);
    assertEq(r.payload.request?.enc, 'RSA_AES_KEY_WRAP_256', 'payload.request.enc');
    assertEq(r.blob.header?.enc, 'RSA_AES_KEY_WRAP_256', 'transfer blob header.enc');
    assertEq(r.payload.response.key.key.kid, key.id, 'payload.response.key.key.kid');
    provesSameKey(r.privateKey, key);
  });
  await check('releaseKey {nonce: "abc"}: payload.request.nonce echoes it', async () => {
    const released = await client.releaseKey(name, maaToken, { nonce: 'abc' });
    const r = openRelease(released.value, transfer.privateKey);
    assertEq(r.payload.request?.nonce, 'abc', 'payload.request.nonce');
    assertEq(r.payload.request?.kid, `${vaultUrl}/keys/${name}`, 'payload.request.kid (release of the latest version)');
    assertEq(r.payload.response.key.key.kid, key.id, 'payload.response.key.key.kid');
    provesSameKey(r.privateKey, key);
  });
  await check('releaseKey {version}: POST /keys/<name>/<version>/release, request.kid is the key id', async () => {
    const released = await client.releaseKey(name, maaToken, { version: key.properties.version });
    const r = openRelease(released.value, transfer.privateKey);
    assertEq(r.payload.request?.kid, key.id, 'payload.request.kid');
    assertEq(r.payload.response.key.key.kid, key.id, 'payload.response.key.key.kid');
    const last = report.requests.filter((q) => q.client === 'deployer').at(-1);
    assertEq(last.path.split('?')[0], `/keys/${name}/${key.properties.version}/release`, 'request path');
    provesSameKey(r.privateKey, key);
  });
  report.timings_ms.releases = Date.now() - t0;

  await check('releaseKey with a tampered token (one signature byte flipped): 403, attestation token layer', async () => {
    const [h, p, s] = maaToken.split('.');
    const sig = fromB64url(s);
    sig[sig.length >> 1] ^= 0x01;
    const tampered = `${h}.${p}.${b64url(sig)}`;
    const err = await rejects(client.releaseKey(name, tampered), 'release with a tampered token');
    assertEq(err.name, 'RestError', 'error name');
    assertEq(err.statusCode, 403, 'statusCode');
    assert(/attestation token/i.test(err.message), `message does not name the attestation token: ${err.message}`);
    const body = lastErrorBody('deployer', '/release');
    assertEq(body?.error?.innererror?.layer, 'attestation_token', 'error.innererror.layer');
    return { code: err.code, message: err.message, innererror: body?.error?.innererror };
  });

  await check('releaseKey with the token of a guest with other host data: 403, release policy hostdata clause', async () => {
    assert(otherToken, 'no token for guest other');
    const err = await rejects(client.releaseKey(name, otherToken), 'release to the other guest');
    assertEq(err.name, 'RestError', 'error name');
    assertEq(err.statusCode, 403, 'statusCode');
    assert(/release policy/i.test(err.message), `message does not name the release policy: ${err.message}`);
    assert(err.message.includes('x-ms-sevsnpvm-hostdata'), `message does not name the hostdata clause: ${err.message}`);
    const body = lastErrorBody('deployer', '/release');
    assertEq(body?.error?.innererror?.layer, 'release_policy', 'error.innererror.layer');
    return { code: err.code, message: err.message };
  });

  await check('a client whose identity has no access policy (stranger): getKey 403', async () => {
    const strangerScopes = [];
    const strangerClient = new KeyClient(vaultUrl,
      imdsCredential(identityUrl, stranger.credential_file, strangerScopes), clientOptions('stranger'));
    const err = await rejects(strangerClient.getKey(name), 'getKey by the stranger');
    assertEq(err.name, 'RestError', 'error name');
    assertEq(err.statusCode, 403, 'statusCode');
    assert(strangerScopes.length >= 1, 'the stranger credential was never asked for a token');
    return { code: err.code, message: err.message };
  });

  t0 = Date.now();
  await check('beginDeleteKey(name).pollUntilDone(): one DELETE, then getKey 404', async () => {
    const before = report.requests.length;
    const poller = await client.beginDeleteKey(name);
    const deleted = await poller.pollUntilDone();
    assertEq(deleted.name, name, 'deleted key name');
    assertEq(deleted.id, key.id, 'deleted key id');
    const sent = report.requests.slice(before).filter((r) => r.client === 'deployer');
    assertEq(sent.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`).join(' | '),
      `DELETE /keys/${name} 200`, 'requests of the delete');
    assertEq(deleted.properties.recoveryId, undefined, 'recoveryId');
    const err = await rejects(client.getKey(name), 'getKey after delete');
    assertEq(err.statusCode, 404, 'statusCode after delete');
    assertEq(err.code, 'KeyNotFound', 'code after delete');
  });
  report.timings_ms.delete = Date.now() - t0;
}

// ------------------------------------------------------------- entry point

let exitCode = 1;
const deadline = setTimeout(
  () => abort('deadline', `the test did not finish within ${DEADLINE_MS} ms`), DEADLINE_MS);

try {
  await main();
  exitCode = report.failed === 0 && report.passed > 0 ? 0 : 1;
} catch (err) {
  report.checks.push({ name: 'setup', ok: false, error: describeError(err) });
  report.failed += 1;
  log(`FAIL setup: ${describeError(err)}`);
  await stopAll();
}
clearTimeout(deadline);
report.timings_ms.total = Date.now() - started;
report.result = exitCode === 0 ? 'pass' : 'fail';
console.log(JSON.stringify(report, null, 2));
log(`${report.passed} passed, ${report.failed} failed`);
process.exit(exitCode);
