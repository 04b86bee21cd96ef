// tests/browser/demo_walk.mjs — the seed's 16-step demo script
// (README-MultiParty.md of the original) played in a real browser, the way a
// presenter would: `mpcc up`, Debian's Chromium (driven by playwright-core)
// opens the four-pane view URL with the four operator tokens, and each step
// clicks inside the party frames and checks what the presenter would see
// (texts of seed-app.md 15, counts, denials and their failed clauses,
// Appendix A's figures). Then the steps beyond the seed: time per release
// step, the release-policy what-if, and a live revoke/restore of Woodgrove's
// grant on Contoso. One screenshot per step goes to the artefact directory
// (step-NN-<what>.png, NN = the seed's step number; 00 and 17+ are ours).
//
//   node tests/browser/demo_walk.mjs <mpcc> [--artifacts DIR] [--state-dir DIR]
//        [--web-root DIR] [--deployment-file F] [--chromium PATH] [--attach]
//        [--view-url URL] [--keep]
//
//   --artifacts   screenshots (default ./test-artifacts/browser)
//   --state-dir   the deployment directory (default: a new temp directory,
//                 removed at the end unless --keep)
//   --web-root    passed to `mpcc up` (serve web/ from disk)
//   --deployment-file  passed to `mpcc up` (default: the built-in deploy/local.json)
//   --attach      use the deployment already running in --state-dir (no up/down)
//   --view-url    open this view instead of endpoints.json's (debugging)
//
// Order: the presenter protects Contoso's and Fabrikam's data (steps 13-15)
// before Woodgrove's analysis (steps 8-12), so that the analysis finds the
// 2 x 50 records of Appendix A; in the seed the containers imported at start.
// Environment: MPCC_CHROMIUM (default /usr/bin/chromium),
// MPCC_BROWSER_TEST_DEADLINE_MS (give up, and still run `mpcc down`, after
// this long; default 170000). Exit 0 when every step passed, 1 otherwise,
// 2 usage. Prints one line per step and "N passed, N failed".
import assert from 'node:assert/strict';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {Deployment, PARTIES, down} from './deployment.mjs';
import {Walk} from './walk.mjs';
import {beyondSteps} from './beyond_steps.mjs';
import {analysisSteps, attestationSteps, keySteps, recordSteps, snooperSteps} from './demo_steps.mjs';

const started = Date.now();
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
let results = [];  // the walk's step outcomes

function parseArgs(argv) {
  const o = {artifacts: 'test-artifacts/browser', attach: false, keep: false,
    chromium: process.env.MPCC_CHROMIUM || '/usr/bin/chromium'};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--artifacts') o.artifacts = value();
    else if (a === '--state-dir') o.stateDir = value();
    else if (a === '--web-root') o.webRoot = value();
    else if (a === '--deployment-file') o.deploymentFile = value();
    else if (a === '--chromium') o.chromium = value();
    else if (a === '--view-url') o.viewUrl = value();
    else if (a === '--attach') o.attach = true;
    else if (a === '--keep') o.keep = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length !== 1) throw new Error('exactly one mpcc binary expected');
  o.mpcc = resolve(rest[0]);
  return o;
}

// The names in a company's CSV (what the decrypted view must show).
function csvNames(party) {
  const lines = readFileSync(join(REPO, 'deploy', 'data', `${party}-data.csv`), 'utf8').trim().split('\n');
  return lines.slice(1).map((l) => l.split(',')[0]);
}

async function walkDemo(opts, dep, browser) {
  const context = await browser.newContext({viewport: {width: 2400, height: 1300}});
  const problems = [];
  const watch = (page) => {
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  };
  const page = await context.newPage();
  watch(page);
  const walk = new Walk(page, opts.artifacts);
  results = walk.results;
  const env = {
    walk, page, context, dep, watch,
    hostData: Object.fromEntries(PARTIES.map((p) => [p, dep.party(p).host_data])),
    names: {contoso: csvNames('contoso'), fabrikam: csvNames('fabrikam')},
  };
  const viewUrl = opts.viewUrl ? dep.viewUrl(opts.viewUrl.replace(/\/+$/, '')) : dep.viewUrl();

  await walk.step('00', 'sign-in-panel-and-view', async () => {
    // A party page opened without a token asks for one (and refuses a wrong one).
    const direct = await context.newPage();
    watch(direct);
    await direct.goto(`${dep.party('contoso').app}/`);
    await walk.expectText(direct.locator('#signin'), 'parties/contoso/operator-token');
    await direct.locator('#signin-token').fill('not-the-operator-token');
    await direct.locator('#btn-signin').click();
    await walk.expectText(direct.locator('#signin-error'), 'The token was refused (401)');
    await walk.screenshot('step-00-contoso-sign-in-panel', direct);
    await direct.locator('#signin-token').fill(dep.token('contoso'));
    await direct.locator('#btn-signin').click();
    await walk.expectText(direct.locator('#brand-title'), 'Contoso');
    await direct.close();

    await page.goto(viewUrl);
    await page.locator('body[data-ready=true]').waitFor();
    assert.equal(await page.evaluate(() => window.location.hash), '', 'the view keeps the tokens in its address bar');
    await walk.expectText(page.locator('[data-testid=label-contoso]'), '✅ CONTOSO (Confidential)');
    await walk.expectText(page.locator('[data-testid=label-woodgrove]'), 'Cross-company access');
    await walk.expectText(page.locator('[data-testid=label-snooper]'), '❌ SNOOPER (Standard - No TEE)');
    for (const p of PARTIES) {
      await walk.pane(p).locator('body[data-ready=true]').waitFor();
      const frame = page.frame({name: p});
      assert.ok(frame, `no frame named ${p}`);
      assert.equal(new URL(frame.url()).hash, '', `${p}'s frame keeps its token in the URL`);
    }
  });

  await attestationSteps(env);
  await keySteps(env);
  await recordSteps(env);
  await analysisSteps(env);
  await snooperSteps(env);
  await beyondSteps(env);

  await walk.step('99', 'no-csp-violations-or-page-errors', async () => {
    assert.deepEqual(problems, [], problems.join('\n'));
  });
  await context.close();
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`demo_walk: ${e.message}\nusage: node demo_walk.mjs <mpcc> [--artifacts DIR] [--state-dir DIR] ` +
      '[--web-root DIR] [--deployment-file F] [--chromium PATH] [--attach] [--view-url URL] [--keep]');
    return 2;
  }
  let chromium;
  try {
    ({chromium} = await import('playwright-core'));
  } catch (e) {
    console.error(`demo_walk: cannot load playwright-core (${e.message}): run scripts/deps (npm ci)`);
    return 1;
  }
  if (!existsSync(opts.chromium)) {
    console.error(`demo_walk: no Chromium at ${opts.chromium} (apt-get install chromium, or set MPCC_CHROMIUM)`);
    return 1;
  }
  mkdirSync(opts.artifacts, {recursive: true});
  for (const f of readdirSync(opts.artifacts)) {
    if (/^step-.*\.png$/.test(f)) rmSync(join(opts.artifacts, f));  // an earlier run's
  }
  const ownDir = !opts.stateDir;
  const tempRoot = ownDir ? mkdtempSync(join(tmpdir(), 'mpcc-browser-')) : null;
  const stateDir = opts.stateDir || join(tempRoot, 'deployment');
  const deadlineMs = Number(process.env.MPCC_BROWSER_TEST_DEADLINE_MS || 170000);
  let browser = null;
  let timer;
  let failed = true;
  const stop = () => {
    if (!opts.attach) down(opts.mpcc, stateDir, {keep: opts.keep});
    if (ownDir && !opts.keep) rmSync(tempRoot, {recursive: true, force: true});
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`demo_walk: ${signal}: stopping the deployment`);
      stop();
      process.exit(1);
    });
  }
  try {
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gave up after ${deadlineMs} ms`)), deadlineMs);
    });
    await Promise.race([deadline, (async () => {
      const dep = opts.attach ? Deployment.attach(opts.mpcc, stateDir)
        : await Deployment.up({mpcc: opts.mpcc, stateDir, webRoot: opts.webRoot, deploymentFile: opts.deploymentFile});
      console.log(`demo_walk: deployment ready after ${Date.now() - started} ms (${stateDir})`);
      const extra = opts.viewUrl ? [opts.viewUrl] : [dep.viewBase()];
      const spki = await dep.spkiHashes(extra);
      browser = await chromium.launch({
        executablePath: opts.chromium,
        args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spki.join(',')}`],
      });
      await walkDemo(opts, dep, browser);
    })()]);
    failed = false;
  } catch (e) {
    console.error(`demo_walk: ${e.stack || e.message}`);
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close().catch(() => {});
    stop();
  }
  const passed = results.filter((r) => r.ok).length;
  const failedSteps = results.filter((r) => !r.ok).length;
  console.log(`demo_walk: ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${resolve(opts.artifacts)}`);
  console.log(`${passed} passed, ${failedSteps + (failed && !failedSteps ? 1 : 0)} failed`);
  return failed ? 1 : 0;
}

process.exit(await main());
