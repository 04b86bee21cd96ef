// tests/browser/deployment.mjs — a real local deployment for the browser
// test: `mpcc up --state-dir D --detach`, its endpoints, the four operator
// tokens, the view URL a presenter opens, the TLS leaf certificates'
// SPKI hashes (for Chromium's --ignore-certificate-errors-spki-list), and
// `mpcc down`.
//
//   const dep = await Deployment.up({mpcc, stateDir, webRoot, deploymentFile});
//   dep.viewUrl()        // https://127.0.0.1:V/#contoso=...&fabrikam=...
//   await dep.spkiHashes()
//   down(mpcc, stateDir)  // or dep.down()
//
// Errors: up() throws with mpcc's output when it fails; down() never throws
// (it reports on stderr), so it can run in a finally block.
import {execFile, execFileSync} from 'node:child_process';
import {X509Certificate, createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import tls from 'node:tls';

export const PARTIES = ['contoso', 'fabrikam', 'woodgrove', 'snooper'];

function run(mpcc, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(mpcc, args, {timeout: timeoutMs, maxBuffer: 16 << 20}, (error, stdout, stderr) => {
      resolve({code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}`, error});
    });
  });
}

function readText(path) {
  return readFileSync(path, 'utf8').trim();
}

function spkiHash(der) {
  const spki = new X509Certificate(der).publicKey.export({type: 'spki', format: 'der'});
  return createHash('sha256').update(spki).digest('base64');
}

// The DER certificate a TLS server presents (not verified: only hashed).
function leafCertificate(url) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({host: u.hostname, port: Number(u.port || 443), rejectUnauthorized: false}, () => {
      const cert = socket.getPeerCertificate(false);
      socket.end();
      if (!cert || !cert.raw) reject(new Error(`${url}: no certificate`));
      else resolve(cert.raw);
    });
    socket.setTimeout(10000, () => socket.destroy(new Error(`${url}: TLS handshake timed out`)));
    socket.on('error', reject);
  });
}

export class Deployment {
  constructor(mpcc, stateDir) {
    this.mpcc = mpcc;
    this.stateDir = stateDir;
    this.endpoints = JSON.parse(readFileSync(join(stateDir, 'endpoints.json'), 'utf8'));
  }

  static async up({mpcc, stateDir, webRoot, deploymentFile, timeoutS = 120}) {
    const args = ['up', '--state-dir', stateDir, '--detach', '--timeout', String(timeoutS)];
    if (webRoot) args.push('--web-root', webRoot);
    if (deploymentFile) args.push('--deployment-file', deploymentFile);
    const r = await run(mpcc, args, (timeoutS + 30) * 1000);
    if (r.code !== 0) throw new Error(`mpcc ${args.join(' ')} failed (${r.code}):\n${r.output}`);
    return new Deployment(mpcc, stateDir);
  }

  // An already running deployment (debugging: --attach).
  static attach(mpcc, stateDir) {
    return new Deployment(mpcc, stateDir);
  }

  party(name) {
    const p = this.endpoints.parties?.[name];
    if (!p) throw new Error(`endpoints.json has no party ${name}`);
    return p;
  }

  token(name) {
    return readText(this.party(name).credential_file);
  }

  // The view's base URL: endpoints.json "view" is the URL, or {url}.
  viewBase() {
    const v = this.endpoints.view;
    const url = typeof v === 'string' ? v : v?.url;
    if (!url) throw new Error(`endpoints.json has no view URL (view = ${JSON.stringify(v)})`);
    return url.replace(/\/+$/, '');
  }

  viewUrl(base = this.viewBase()) {
    const fragment = PARTIES.map((p) => `${p}=${this.token(p)}`).join('&');
    return `${base}/#${fragment}`;
  }

  // SPKI hashes (base64 SHA-256) of the CA and of every served leaf: Chromium
  // accepts a certificate whose chain has one of them.
  async spkiHashes(extraUrls = []) {
    const hashes = new Set();
    hashes.add(spkiHash(readFileSync(this.endpoints.ca_cert)));
    const urls = [...PARTIES.map((p) => this.party(p).app), ...extraUrls];
    for (const url of urls) {
      if (url.startsWith('https:')) hashes.add(spkiHash(await leafCertificate(url)));
    }
    return [...hashes];
  }

  down({keep = false} = {}) {
    down(this.mpcc, this.stateDir, {keep});
  }
}

// Stops everything in stateDir (also after a failed up); without keep, mpcc
// also deletes the keys, the blobs and the directory. Never throws: it runs
// in finally blocks and signal handlers.
export function down(mpcc, stateDir, {keep = false} = {}) {
  if (!existsSync(stateDir)) return;
  const args = ['down', '--state-dir', stateDir];
  if (keep) args.push('--keep');
  try {
    execFileSync(mpcc, args, {timeout: 120000, stdio: ['ignore', 'pipe', 'pipe']});
  } catch (e) {
    process.stderr.write(`demo_walk: mpcc ${args.join(' ')} failed: ${e.stderr || e.message}\n`);
  }
}
