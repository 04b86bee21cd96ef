// tests/browser/beyond_steps.mjs — the steps beyond the seed's script (issue
// 6): the time per step of a partner release, the release-policy what-if
// (a foreign policy is denied with its failing clause; an admitted one is
// released), and a live revoke of Woodgrove's grant on Contoso: Woodgrove's
// next analysis shows Contoso's release denied by the release policy on
// x-ms-sevsnpvm-hostdata; after restore it succeeds again.
import assert from 'node:assert/strict';

import {DENIED_STEPS, expectAppendixA, expectTimings} from './demo_steps.mjs';

// The text of a party's what-if policy box once it is loaded.
async function loadedPolicy(walk, frame) {
  await walk.open(frame, 'sec-whatif');
  return walk.until('the release policy to load', async () => {
    const text = await frame.locator('#whatif-policy').inputValue();
    return text.trim().startsWith('{') ? text : null;
  });
}

async function evaluate(walk, frame, policy) {
  await frame.locator('#whatif-policy').fill(policy);
  await frame.locator('#btn-whatif-evaluate').click();
  await walk.until('a what-if decision', async () =>
    ['release', 'deny', 'error'].includes(await frame.locator('#whatif-result').getAttribute('data-decision')));
  return frame.locator('#whatif-result');
}

async function rerunAnalysis(walk, w) {
  await w.locator('#btn-analysis-start').click();
  await walk.until('the analysis to end', async () =>
    (await w.locator('[data-testid=analysis-done], [data-testid=analysis-failed]').count()) > 0 &&
    !(await w.locator('#btn-analysis-start').isDisabled()));
}

export async function beyondSteps(env) {
  const {walk, hostData} = env;
  const c = walk.pane('contoso');
  const w = walk.pane('woodgrove');

  await walk.step('17', 'partner-release-timings', async () => {
    for (const p of ['contoso', 'fabrikam']) await expectTimings(walk, w.locator(`#partner-card-${p}`));
    await walk.reveal(w.locator('#partner-cards'));
  });

  await walk.step('18', 'what-if-foreign-policy-denied', async () => {
    const fabrikamPolicy = await loadedPolicy(walk, walk.pane('fabrikam'));
    await loadedPolicy(walk, c);
    await walk.until("Contoso's last MAA token in the what-if", async () =>
      (await c.locator('#whatif-token').inputValue()).split('.').length === 3);
    const out = await evaluate(walk, c, fabrikamPolicy);
    await walk.expectText(out, '⛔ Decision: deny');
    const clause = out.locator('[data-testid=failed-clause][data-claim="x-ms-sevsnpvm-hostdata"]').first();
    await walk.expectText(clause.locator('td.actual'), hostData.contoso);
    await walk.expectText(clause.locator('td.expected'), hostData.fabrikam);
    await walk.reveal(out);
  });

  await walk.step('19', 'what-if-partner-policy-released', async () => {
    await c.locator('#btn-whatif-reset').click();
    const contosoPolicy = await walk.until("Contoso's own policy back", async () => {
      const t = await c.locator('#whatif-policy').inputValue();
      return t.includes(hostData.contoso) ? t : null;
    });
    await loadedPolicy(walk, w);
    const out = await evaluate(walk, w, contosoPolicy);
    await walk.expectText(out, '✅ Decision: release');
    await walk.reveal(out);
  });

  await walk.step('20', 'revoke-woodgrove-on-contoso-denies-release', async () => {
    await walk.open(c, 'sec-grants');
    await c.locator('#btn-revoke-woodgrove').click();
    await walk.until('the grant to show revoked', async () =>
      (await c.locator('[data-testid=grant-woodgrove]').getAttribute('data-granted')) === 'false');
    await walk.expectText(c.locator('#grant-state-woodgrove'), "Woodgrove Bank's access is revoked");
    await walk.screenshot('step-20-contoso-revoked');
    await rerunAnalysis(walk, w);
    const card = w.locator('#partner-card-contoso');
    assert.equal(await card.getAttribute('data-state'), 'fail', "Contoso's key was released after the revoke");
    const denial = card.locator('[data-testid=denial]');
    await walk.expectText(denial, 'Denied by: attestation (release policy)');
    const clause = denial.locator('[data-testid=failed-clause][data-claim="x-ms-sevsnpvm-hostdata"]').first();
    await walk.expectText(clause.locator('td.actual'), hostData.woodgrove);
    await expectTimings(walk, card, DENIED_STEPS);
    await walk.expectNoText(card.locator('[data-testid=timings]'), 'unwrap');
    await walk.expectText(w.locator('#partner-status-fabrikam'), '✅ Key released successfully');
    // The analysis goes on with what Woodgrove may still open: Fabrikam's 50.
    const done = w.locator('[data-testid=analysis-done]');
    await walk.expectText(done, 'Successfully decrypted and analyzed 50 records');
    await walk.expectText(done, 'Contoso: Key not released');
    await walk.expectText(w.locator('[data-testid=staff-contoso] .stat-value'), /^0$/);
    await walk.expectText(w.locator('[data-testid=staff-fabrikam] .stat-value'), /^50$/);
    await walk.reveal(card);
  });

  await walk.step('21', 'restore-woodgrove-on-contoso-releases-again', async () => {
    await c.locator('#btn-restore-woodgrove').click();
    await walk.until('the grant to show granted', async () =>
      (await c.locator('[data-testid=grant-woodgrove]').getAttribute('data-granted')) === 'true');
    await rerunAnalysis(walk, w);
    await walk.expectText(w.locator('#partner-status-contoso'), '✅ Key released successfully');
    await expectAppendixA(walk, w);
    await walk.reveal(w.locator('#partner-cards'));
  });
}
