// Interoperability of mpcc::jose (through jose_tool) with the npm `jose`
// package: JWT signatures both ways for every alg mpcc supports, JWE both
// ways (RSA-OAEP-256 / RSA-OAEP / dir, AES-GCM), RFC 7638 thumbprints, and
// refusals on both sides (tampering, alg none, HMAC confusion, expiry).
//
//   node tests/interop/jose_interop.mjs <path to jose_tool>
//
// `jose` resolves from the project's node_modules (installed by scripts/deps,
// `npm ci` in the project root). Prints one line per check and a closing
// "N passed, N failed"; exits 1 if anything failed or cannot run.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tool = process.argv[2];
if (!tool) {
  console.error('usage: node jose_interop.mjs <path to jose_tool>');
  process.exit(2);
}

let jose;
try {
  jose = await import('jose');
} catch (err) {
  console.error(
    "jose_interop: cannot load the npm package 'jose' (" + err.code + '). ' +
      'Install the Node dependencies first: scripts/deps (runs `npm ci` in the project root).');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'mpcc-jose-interop-'));
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}: ${err && err.message ? err.message : err}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function runTool(args) {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${tool}: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

// Runs jose_tool and returns its stdout; throws if it failed.
function toolOk(args) {
  const r = runTool(args);
  if (r.code !== 0) throw new Error(`jose_tool ${args[0]} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

// Runs jose_tool expecting a refusal whose message contains `expected`.
function toolRefuses(args, expected) {
  const r = runTool(args);
  assert(r.code === 1, `jose_tool ${args[0]} should refuse (exit 1), got ${r.code}: ${r.stdout}`);
  assert(r.stderr.includes(expected), `expected "${expected}" in: ${r.stderr}`);
}

async function rejects(promise, what) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what} was accepted`);
}

let fileCounter = 0;
function writeJwk(jwk) {
  fileCounter += 1;
  const path = join(dir, `key${fileCounter}.json`);
  writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
  return path;
}

function cppKey(args) {
  const jwk = JSON.parse(toolOk(['keygen', ...args]));
  const file = writeJwk(jwk);
  return { jwk, file };
}

function changeFirstChar(segment) {
  // The first character always changes the decoded bytes (the last one may
  // only carry unused bits).
  const c = segment[0] === 'A' ? 'B' : 'A';
  return c + segment.slice(1);
}

function replaceSegment(token, index, value) {
  const parts = token.split('.');
  parts[index] = value;
  return parts.join('.');
}

const now = Math.floor(Date.now() / 1000);
const issuer = 'https://attest.mpcc.local';
const audience = 'https://vault.mpcc.local';
const claims = { iss: issuer, aud: audience, sub: 'contoso', iat: now, exp: now + 3600, 'x-ms-ver': '1.0' };

const algs = ['RS256', 'RS384', 'PS256', 'PS384', 'ES256', 'ES384'];
const cppRsa = cppKey(['--kty', 'RSA', '--bits', '2048', '--kid', 'cpp-rsa']);
const cppP256 = cppKey(['--kty', 'EC', '--crv', 'P-256', '--kid', 'cpp-p256']);
const cppP384 = cppKey(['--kty', 'EC', '--crv', 'P-384', '--kid', 'cpp-p384']);
const cppKeyFor = { RS256: cppRsa, RS384: cppRsa, PS256: cppRsa, PS384: cppRsa, ES256: cppP256, ES384: cppP384 };

function publicJwk(jwk) {
  const { d, p, q, dp, dq, qi, ...pub } = jwk;
  return pub;
}

// (a) mpcc signs, jose verifies.
for (const alg of algs) {
  await check(`mpcc signs ${alg}, jose jwtVerify accepts`, async () => {
    const key = cppKeyFor[alg];
    const token = toolOk(['sign', '--jwk', key.file, '--alg', alg, '--claims', JSON.stringify(claims)]).trim();
    const publicKey = await jose.importJWK(publicJwk(key.jwk), alg);
    const { payload, protectedHeader } = await jose.jwtVerify(token, publicKey, {
      issuer, audience, algorithms: [alg],
    });
    assert(payload.sub === 'contoso' && payload['x-ms-ver'] === '1.0', 'claims differ');
    assert(protectedHeader.alg === alg, 'alg differs');
    assert(protectedHeader.kid === key.jwk.kid, 'kid differs');
    assert(protectedHeader.typ === 'JWT', 'typ differs');
  });
}

await check('RFC 7638 thumbprints agree (RSA, P-256, P-384)', async () => {
  for (const key of [cppRsa, cppP256, cppP384]) {
    const ours = toolOk(['thumbprint', '--jwk', key.file]).trim();
    const theirs = await jose.calculateJwkThumbprint(publicJwk(key.jwk), 'sha256');
    assert(ours === theirs, `${key.jwk.kid}: ${ours} != ${theirs}`);
  }
});

// (b) jose signs, mpcc verifies; mpcc also signs with jose's private JWKs.
const joseKeys = {};
for (const alg of algs) {
  await check(`jose signs ${alg}, mpcc verifies`, async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const pub = { ...(await jose.exportJWK(publicKey)), kid: `jose-${alg}` };
    const priv = { ...(await jose.exportJWK(privateKey)), kid: `jose-${alg}` };
    joseKeys[alg] = { publicKey, privateKey, pubFile: writeJwk(pub), privFile: writeJwk(priv) };
    const token = await new jose.SignJWT({ sub: 'fabrikam', nonce: '7394904505194784658' })
      .setProtectedHeader({ alg, kid: `jose-${alg}`, typ: 'JWT' })
      .setIssuer(issuer).setAudience(audience).setIssuedAt(now).setNotBefore(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    const out = JSON.parse(toolOk(['verify', '--jwk', joseKeys[alg].pubFile, '--token', token,
      '--alg', alg, '--iss', issuer, '--aud', audience]));
    assert(out.claims.sub === 'fabrikam' && out.claims.nonce === '7394904505194784658', 'claims differ');
    assert(out.header.kid === `jose-${alg}`, 'kid differs');
  });
  await check(`mpcc signs ${alg} with jose's private JWK, jose verifies`, async () => {
    const k = joseKeys[alg];
    assert(k, 'no jose key');
    const token = toolOk(['sign', '--jwk', k.privFile, '--alg', alg, '--claims', JSON.stringify(claims)]).trim();
    const { payload } = await jose.jwtVerify(token, k.publicKey, { issuer, audience, algorithms: [alg] });
    assert(payload.sub === 'contoso', 'claims differ');
  });
}

// (c) JWE both ways.
const plaintext = 'Contoso key material: 0123456789abcdef \u2013 \u00e9';
const cppOct = cppKey(['--kty', 'oct', '--bytes', '32', '--kid', 'cpp-oct']);

await check('mpcc encrypts RSA-OAEP-256/A256GCM, jose compactDecrypt opens', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('RSA-OAEP-256', { extractable: true });
  const file = writeJwk({ ...(await jose.exportJWK(publicKey)), kid: 'jose-wrap' });
  const token = toolOk(['encrypt', '--jwk', file, '--plaintext', plaintext,
    '--header', JSON.stringify({ 'x-mpcc-party': 'contoso' })]).trim();
  const { plaintext: out, protectedHeader } = await jose.compactDecrypt(token, privateKey);
  assert(new TextDecoder().decode(out) === plaintext, 'plaintext differs');
  assert(protectedHeader.alg === 'RSA-OAEP-256' && protectedHeader.enc === 'A256GCM', 'alg/enc differ');
  assert(protectedHeader.kid === 'jose-wrap' && protectedHeader['x-mpcc-party'] === 'contoso', 'header differs');
});

await check('mpcc encrypts dir/A256GCM, jose compactDecrypt opens', async () => {
  const token = toolOk(['encrypt', '--jwk', cppOct.file, '--plaintext', plaintext]).trim();
  const key = jose.base64url.decode(cppOct.jwk.k);
  const { plaintext: out, protectedHeader } = await jose.compactDecrypt(token, key);
  assert(new TextDecoder().decode(out) === plaintext, 'plaintext differs');
  assert(protectedHeader.alg === 'dir' && protectedHeader.kid === 'cpp-oct', 'header differs');
});

for (const alg of ['RSA-OAEP-256', 'RSA-OAEP']) {
  await check(`jose CompactEncrypt ${alg}/A256GCM, mpcc decrypts`, async () => {
    const publicKey = await jose.importJWK(publicJwk(cppRsa.jwk), alg);
    const token = await new jose.CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg, enc: 'A256GCM', kid: 'cpp-rsa' })
      .encrypt(publicKey);
    const out = toolOk(['decrypt', '--jwk', cppRsa.file, '--token', token]);
    assert(out === plaintext, `plaintext differs: ${out}`);
  });
}

for (const [enc, bytes] of [['A256GCM', 32], ['A128GCM', 16]]) {
  await check(`jose CompactEncrypt dir/${enc}, mpcc decrypts`, async () => {
    const key = bytes === 32 ? jose.base64url.decode(cppOct.jwk.k) : crypto.getRandomValues(new Uint8Array(16));
    const file = bytes === 32 ? cppOct.file : writeJwk({ kty: 'oct', k: jose.base64url.encode(key) });
    const token = await new jose.CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc })
      .encrypt(key);
    assert(toolOk(['decrypt', '--jwk', file, '--token', token]) === plaintext, 'plaintext differs');
  });
}

// (d) Refusals on both sides.
await check('tampered mpcc token: refused by jose and by mpcc', async () => {
  const token = toolOk(['sign', '--jwk', cppRsa.file, '--alg', 'RS256', '--claims', JSON.stringify(claims)]).trim();
  const forged = replaceSegment(token, 1, jose.base64url.encode(JSON.stringify({ ...claims, sub: 'snooper' })));
  const publicKey = await jose.importJWK(publicJwk(cppRsa.jwk), 'RS256');
  const err = await rejects(jose.jwtVerify(forged, publicKey), 'jose: forged payload');
  assert(err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', `jose error ${err.code}`);
  toolRefuses(['verify', '--jwk', cppRsa.file, '--token', forged], 'JWT: JWS: signature does not verify');
});

await check('tampered jose token: refused by mpcc and by jose', async () => {
  const k = joseKeys.ES256;
  assert(k, 'no jose key');
  const token = await new jose.SignJWT({ sub: 'fabrikam' }).setProtectedHeader({ alg: 'ES256' })
    .setExpirationTime(now + 600).sign(k.privateKey);
  const parts = token.split('.');
  const forged = replaceSegment(token, 2, changeFirstChar(parts[2]));
  toolRefuses(['verify', '--jwk', k.pubFile, '--token', forged], 'JWT: JWS: signature does not verify');
  const err = await rejects(jose.jwtVerify(forged, k.publicKey), 'jose: forged signature');
  assert(err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', `jose error ${err.code}`);
});

await check('tampered JWE: refused by mpcc and by jose', async () => {
  const token = toolOk(['encrypt', '--jwk', cppOct.file, '--plaintext', plaintext]).trim();
  const parts = token.split('.');
  const forged = replaceSegment(token, 3, changeFirstChar(parts[3]));
  toolRefuses(['decrypt', '--jwk', cppOct.file, '--token', forged], 'JWE: decryption failed');
  const err = await rejects(jose.compactDecrypt(forged, jose.base64url.decode(cppOct.jwk.k)), 'jose: forged JWE');
  assert(err.code === 'ERR_JWE_DECRYPTION_FAILED', `jose error ${err.code}`);
});

await check('jose UnsecuredJWT (alg none): refused by mpcc', async () => {
  const token = new jose.UnsecuredJWT({ sub: 'snooper' }).setExpirationTime(now + 600).encode();
  toolRefuses(['verify', '--jwk', cppRsa.file, '--token', token], "JWT: JWS: alg 'none' is refused");
});

await check('HS256 keyed with the RSA modulus (alg confusion): refused by mpcc', async () => {
  const header = jose.base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'cpp-rsa' }));
  const payload = jose.base64url.encode(JSON.stringify({ ...claims, sub: 'snooper' }));
  const mac = createHmac('sha256', Buffer.from(jose.base64url.decode(cppRsa.jwk.n)))
    .update(`${header}.${payload}`).digest();
  const token = `${header}.${payload}.${jose.base64url.encode(mac)}`;
  toolRefuses(['verify', '--jwk', cppRsa.file, '--token', token], "JWT: JWS: HMAC alg 'HS256' is refused");
});

await check('expired jose token: refused by mpcc', async () => {
  const k = joseKeys.RS256;
  assert(k, 'no jose key');
  const token = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256' })
    .setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(k.privateKey);
  toolRefuses(['verify', '--jwk', k.pubFile, '--token', token], 'JWT: token expired');
});

await check('mpcc ES256 token checked against a P-384 key: refused by both', async () => {
  const token = toolOk(['sign', '--jwk', cppP256.file, '--alg', 'ES256', '--claims', JSON.stringify(claims)]).trim();
  // The P-384 key without its kid, so that the key is used and not skipped.
  const { kid, ...anonymous } = publicJwk(cppP384.jwk);
  toolRefuses(['verify', '--jwk', writeJwk(anonymous), '--token', token],
    'JWT: JWS: alg ES256 needs an EC P-256 key, got EC P-384');
  toolRefuses(['verify', '--jwk', cppP384.file, '--token', token], "JWT: unknown kid 'cpp-p256'");
  const p384 = await jose.importJWK(publicJwk(cppP384.jwk), 'ES384');
  await rejects(jose.jwtVerify(token, p384), 'jose: ES256 token with a P-384 key');
});

rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
