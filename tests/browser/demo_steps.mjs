// tests/browser/demo_steps.mjs — the seed's 16 demo steps (README-MultiParty.md
// of the original), each as the presenter does it in the four-pane view and
// what the presenter must then see. `env` is {walk, page, dep, hostData,
// names} from demo_walk.mjs.
//
// Presenter order: 1-7, then 13-15 (Contoso and Fabrikam protect their data),
// then 8-12 (Woodgrove analyses it), then 16 (the Snooper's view of it).
import assert from 'node:assert/strict';

// Appendix A of seed-app.md: the `complete` event for the copied data.
const APPENDIX_A = {
  staff: {contoso: '50', fabrikam: '50', total: '100'},
  salary: {contoso: '$96,024', fabrikam: '$101,733', combined: '$98,879'},
  generations: {'Gen Z': '21', Millennials: '26', 'Gen X': '35', 'Baby Boomers': '18'},
  countries: [
    ['Canada', '12', 'Quebec City (4), Calgary (3), Edmonton (2)'],
    ['Italy', '8', 'Rome (3), Florence (2), Naples (1)'],
    ['Australia', '8', 'Melbourne (2), Newcastle (2), Perth (1)'],
    ['Brazil', '7', 'Sao Paulo (3), Belo Horizonte (2), Manaus (1)'],
    ['Nigeria', '6', 'Abuja (2), Warri (1), Ibadan (1)'],
    ['UAE', '6', 'Ajman (2), Abu Dhabi (1), Umm Al Quwain (1)'],
    ['China', '5', 'Xian (2), Guangzhou (1), Hangzhou (1)'],
    ['United States', '5', 'New York (1), Denver (1), Los Angeles (1)'],
    ['South Africa', '5', 'Johannesburg (2), Pretoria (1), Kimberley (1)'],
    ['United Kingdom', '4', 'Sheffield (3), Glasgow (1)'],
  ],
};

// The steps of a whole release; a release refused by the vault stops there.
export const RELEASE_STEPS = ['report', 'token', 'identity', 'vault', 'unwrap', 'total'];
export const DENIED_STEPS = ['report', 'token', 'identity', 'vault', 'total'];

// The time-per-step table of a release shows each step that ran.
export async function expectTimings(walk, container, steps = RELEASE_STEPS) {
  const timings = container.locator('[data-testid=timings]').first();
  await timings.waitFor();
  for (const step of steps) {
    await walk.expectText(timings.locator(`tr[data-step=${step}]`), / ms$/);
  }
}

async function attest(env, party, number, name) {
  const {walk, hostData} = env;
  await walk.step(number, name, async () => {
    const f = walk.pane(party);
    await walk.open(f, 'sec-attestation');
    await f.locator('#btn-attest-raw').click();
    await walk.expectText(f.locator('#attest-raw-result'), 'Raw Report Retrieved');
    await walk.expectText(f.locator('[data-testid=report-host-data]'), hostData[party]);
    await f.locator('#btn-attest-maa').click();
    await walk.expectText(f.locator('#attest-maa-result'), 'Attestation Successful');
    await walk.expectText(f.locator('[data-testid=claim-host-data]'), hostData[party]);
    await walk.expectText(f.locator('[data-testid=token-claims]'), '"x-ms-attestation-type": "sevsnpvm"');
    await walk.expectText(f.locator('#security-status'), '✓ Attestation verified successfully');
    await walk.expectText(f.locator('#tee-status'), 'Running in AMD SEV-SNP Trusted Execution Environment');
    await walk.reveal(f.locator('#attest-raw-result'));
  });
}

export async function attestationSteps(env) {
  const {walk} = env;
  await attest(env, 'contoso', '01', 'contoso-raw-report');
  await attest(env, 'fabrikam', '02', 'fabrikam-raw-report');
  await attest(env, 'woodgrove', '03', 'woodgrove-raw-report');
  await walk.step('03', 'woodgrove-green-bank-theme', async () => {
    const w = walk.pane('woodgrove');
    await walk.expectText(w.locator('#brand-title'), 'Woodgrove Bank');
    await walk.expectText(w.locator('#brand-subtitle'), 'Secure Financial Analytics Platform');
    assert.equal(await w.locator('body').getAttribute('data-theme'), 'woodgrove');
    const header = await w.locator('#page-header').evaluate((e) => getComputedStyle(e).backgroundImage);
    assert.match(header, /rgb\(25, 135, 84\)/, `Woodgrove's header is not green: ${header}`);
  });
  await walk.step('04', 'snooper-raw-report-fails', async () => {
    const s = walk.pane('snooper');
    await walk.open(s, 'sec-attestation');
    await s.locator('#btn-attest-raw').click();
    const out = s.locator('#attest-raw-result');
    await walk.expectText(out, 'Raw Attestation Failed');
    await walk.expectText(out.locator('[data-testid=failure-reason]'), 'AMD SEV-SNP hardware not available');
    await walk.expectText(out, 'not running in a TEE');
    await walk.expectText(out, '💡 Diagnosis:');
    await walk.expectText(out, 'Standard SKU');
    await walk.expectText(s.locator('#tee-status'), 'NOT running on confidential hardware - Attestation Failed');
    await walk.reveal(out);
  });
}

export async function keySteps(env) {
  const {walk} = env;
  await walk.step('05', 'contoso-secure-key-release', async () => {
    const c = walk.pane('contoso');
    await walk.open(c, 'sec-skr');
    await walk.expectText(c.locator('#skr-key-name'), 'contoso-secret-key');
    await c.locator('#btn-skr-release').click();
    const out = c.locator('#skr-result');
    await walk.expectText(out, 'Secure Key Release Successful');
    const jwk = JSON.parse(await c.locator('[data-testid=released-jwk]').innerText());
    assert.equal(jwk.kty, 'RSA');
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      assert.ok(!(secret in jwk), `the page shows private key material (${secret})`);
    }
    await expectTimings(walk, out);
    // The live encryption box now works: typed text comes back as a JWE.
    await walk.open(c, 'sec-encrypt');
    await walk.expectText(c.locator('#encrypt-status'), '✅ Key released successfully! You can now encrypt text in real-time.');
    await c.locator('#encrypt-input').fill('Contoso secret');
    await walk.until('the ciphertext of the typed text', async () =>
      (await c.locator('#encrypt-output').inputValue()).startsWith('eyJ'));
    await walk.expectText(c.locator('#encrypt-info'), 'Algorithm: RSA-OAEP-256');
    await walk.reveal(out);
  });
  await walk.step('06', 'snooper-key-release-fails', async () => {
    const s = walk.pane('snooper');
    await walk.open(s, 'sec-skr');
    await s.locator('#btn-skr-release').click();
    const out = s.locator('#skr-result');
    await walk.expectText(out, 'Secure Key Release Failed');
    await walk.expectText(out.locator('[data-testid=denial]'), 'Denied by: no TEE (no attestation = no key)');
    await walk.expectText(out.locator('[data-testid=failure-reason]'), 'AMD SEV-SNP hardware not available');
    await walk.reveal(out);
  });
  await walk.step('07', 'contoso-cross-company-denied', async () => {
    const c = walk.pane('contoso');
    await walk.open(c, 'sec-cross');
    await c.locator('#btn-cross-release').click();
    const out = c.locator('#cross-result');
    await walk.expectText(out, '✅ Access Correctly Denied');
    await walk.expectText(out, 'fabrikam-secret-key');
    const denial = out.locator('[data-testid=denial]');
    await walk.expectText(denial, 'Denied by: identity (access policy)');
    assert.equal(await denial.getAttribute('data-layer'), 'access_policy');
    await walk.expectText(denial, 'has no access policy on this vault');
    // The Snooper claims Contoso's identity but is no company: no such section.
    assert.equal(await walk.pane('snooper').locator('#sec-cross').isVisible(), false,
      'the Snooper shows the cross-company section');
    await walk.reveal(out);
  });
}

export async function recordSteps(env) {
  const {walk, names} = env;
  await walk.step('13', 'protect-data-auto-imports-csv', async () => {
    for (const party of ['contoso', 'fabrikam']) {
      const f = walk.pane(party);
      await walk.open(f, 'sec-records');
      const out = f.locator('#records-populate-result');
      await walk.expectText(out, 'Populated 50 records from');
      await walk.expectText(out.locator('[data-testid=records-added]'), /^50$/);
      await walk.expectText(out.locator('[data-testid=records-total]'), /^50$/);
      await walk.expectText(f.locator('#btn-records-populate'), '📋 CSV Imported');
      await walk.reveal(out);
    }
    // Fabrikam had not released its key yet: opening the section did.
    await walk.expectText(walk.pane('fabrikam').locator('#skr-result'), 'Secure Key Release Successful');
  });
  await walk.step('14', 'contoso-encrypted-storage', async () => {
    const c = walk.pane('contoso');
    await c.locator('#btn-records-list').click();
    await walk.expectText(c.locator('[data-testid=records-count]'), '50 of 50 total');
    const table = c.locator('[data-testid=records-table][data-view=encrypted]');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 50);
    const cells = await table.locator('td.cipher').allInnerTexts();
    assert.ok(cells.every((t) => t.startsWith('eyJ')), 'a record is not shown as a JWE');
    for (const n of names.contoso.slice(0, 5)) await walk.expectNoText(table, n);
    await walk.reveal(c.locator('#records-header'));
  });
  await walk.step('15', 'contoso-decrypt-toggle', async () => {
    const c = walk.pane('contoso');
    await c.locator('#btn-records-decrypt').click();
    await walk.expectText(c.locator('#records-banner'), '🔓 DECRYPTED VIEW');
    await walk.expectText(c.locator('#btn-records-decrypt'), '🔒 Press to Encrypt');
    const shown = await c.locator('[data-testid=records-table][data-view=decrypted] td.name').allInnerTexts();
    assert.deepEqual([...shown].sort(), [...names.contoso].sort(), 'the decrypted names are not the CSV\'s');
    await walk.expectNoText(c.locator('#records-table-wrap'), 'Unable to Decrypt');
    await walk.reveal(c.locator('#records-banner'));
    await walk.screenshot('step-15-contoso-decrypted-view');
    await c.locator('#btn-records-decrypt').click();
    await c.locator('[data-testid=records-table][data-view=encrypted]').waitFor();
    await walk.expectText(c.locator('#btn-records-decrypt'), '🔓 Press to Decrypt');
  });
}

// Woodgrove's whole analysis: start, both partner keys, 100 records, Appendix A.
export async function expectAppendixA(walk, w) {
  await walk.expectText(w.locator('[data-testid=analysis-done]'),
    'Successfully decrypted and analyzed 100 records');
  for (const [k, v] of Object.entries(APPENDIX_A.staff)) {
    await walk.expectText(w.locator(`[data-testid=staff-${k}] .stat-value`), new RegExp(`^${v}$`));
  }
  for (const [k, v] of Object.entries(APPENDIX_A.salary)) {
    await walk.expectText(w.locator(`[data-testid=salary-${k}] .stat-value`), v);
  }
  for (const [g, n] of Object.entries(APPENDIX_A.generations)) {
    await walk.expectText(w.locator(`[data-generation="${g}"] .tile-value`), new RegExp(`^${n}$`));
  }
  const rows = w.locator('[data-testid=countries-table] tbody tr');
  assert.equal(await rows.count(), 10);
  for (const [i, [country, count, cities]] of APPENDIX_A.countries.entries()) {
    const cells = await rows.nth(i).locator('td').allInnerTexts();
    assert.deepEqual(cells, [`#${i + 1}`, `🌍 ${country}`, count, cities], `country row ${i + 1}`);
  }
  await walk.expectText(w.locator('[data-testid=eye-most]'), 'Brown (59)');
  await walk.expectText(w.locator('[data-testid=eye-least]'), 'Amber (3)');
  await walk.expectText(w.locator('[data-testid=favourite-1]'), 'Gold');
  await walk.expectText(w.locator('[data-testid=favourite-1]'), '10 people');
  assert.equal(await w.locator('[data-testid=chart-countries] .chart-row').count(), 10);
  assert.equal(await w.locator('[data-testid=chart-generations] .chart-row').count(), 4);
  assert.ok(await w.locator('[data-testid=chart-cities] .chart-row').count() >= 3);
}

export async function analysisSteps(env) {
  const {walk} = env;
  const w = walk.pane('woodgrove');
  await walk.step('08', 'woodgrove-pane-bank-branding', async () => {
    await walk.expectText(w.locator('#brand-title'), 'Woodgrove Bank');
    assert.equal(await w.locator('body').getAttribute('data-theme'), 'woodgrove');
    assert.equal(await w.locator('#sec-records').isVisible(), false, 'Woodgrove shows Protect Data');
    await w.locator('#page-header').scrollIntoViewIfNeeded();
  });
  await walk.step('09', 'woodgrove-partner-analysis-section', async () => {
    await walk.open(w, 'sec-analysis');
    await walk.expectText(w.locator('.analysis-header'), 'Woodgrove Bank Partner Analysis System');
    for (const p of ['contoso', 'fabrikam']) {
      await walk.expectText(w.locator(`#partner-status-${p}`), '⏳ Not started');
    }
    await walk.reveal(w.locator('#btn-analysis-start'));
  });
  await walk.step('10', 'woodgrove-start-analysis', async () => {
    await w.locator('#btn-analysis-start').click();
    await walk.until('the Contoso card to leave "Not started"',
      async () => (await w.locator('#partner-card-contoso').getAttribute('data-state')) !== 'idle');
  });
  await walk.step('11', 'woodgrove-progress-contoso-fabrikam-released', async () => {
    for (const p of ['contoso', 'fabrikam']) {
      await walk.expectText(w.locator(`#partner-status-${p}`), '✅ Key released successfully');
    }
    await walk.expectText(w.locator('#analysis-count'), '100 / 100 records');
    await walk.expectText(w.locator('#analysis-percent'), '100.0%');
    await walk.reveal(w.locator('#analysis-progress'));
  });
  await walk.step('12', 'woodgrove-log-and-summary', async () => {
    const log = w.locator('#analysis-log');
    await walk.expectText(log, '✓ Found 50 encrypted records from Contoso');
    await walk.expectText(log, '✓ Found 50 encrypted records from Fabrikam');
    await walk.expectText(log, "Contoso: key released");
    await walk.expectText(log, "Fabrikam: key released");
    await expectAppendixA(walk, w);
    await walk.reveal(w.locator('#analysis-summary'));
  });
}

export async function snooperSteps(env) {
  const {walk} = env;
  await walk.step('16', 'snooper-attacker-view', async () => {
    const s = walk.pane('snooper');
    assert.notEqual(await s.locator('#sec-storage').getAttribute('open'), null, "the Snooper's storage section is closed");
    await walk.expectText(s.locator('#snooper-indicator'), /Auto-refreshing every 5 seconds \| Last update: \d/);
    // The view refreshes by itself: it picks up the 100 records imported meanwhile.
    await walk.until('the Snooper to intercept 100 records',
      async () => (await s.locator('[data-testid=intercepted-count]').getAttribute('data-count').catch(() => null)) === '100',
      {timeout: 20000});
    await walk.expectText(s.locator('[data-testid=intercepted-count]'), '✔ Successfully intercepted 100 encrypted records!');
    const cells = await s.locator('[data-testid=intercepted-table] td.cipher').allInnerTexts();
    assert.equal(cells.length, 100);
    assert.ok(cells.every((t) => t.startsWith('🔒 eyJ')), 'an intercepted record is not ciphertext');
    await walk.expectText(s.locator('#snooper-records'),
      '🚫 No access to keys to decrypt data - This snooper cannot access the SKR keys needed to reveal the plaintext!');
    for (const n of env.names.contoso.slice(0, 5)) await walk.expectNoText(s.locator('#snooper-records'), n);
    await walk.expectText(s.locator('#snooper-explainer'), '❌ CANNOT decrypt any data');
    // Listing and viewing any blob works too: it is ciphertext.
    await s.locator('#btn-storage-list').click();
    await walk.expectText(s.locator('#storage-result'), '✓ Successfully accessed external storage!');
    await walk.expectText(s.locator('[data-testid=blob-count]'), /Found \d+ blob\(s\)/);
    await s.locator('[data-testid=blob-table] button', {hasText: 'View'}).last().click();
    await walk.expectText(s.locator('[data-testid=blob-content]'), /\/\/ File: records\/\w+\/\w+\.jwe[^]*eyJ/);
    await walk.reveal(s.locator('#snooper-records'));
  });
}
