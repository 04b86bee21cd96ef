// tests/browser/walk.mjs — what the demo walk does in the browser, as small
// verbs: find a party's frame in the four-pane view, open a section, click,
// wait until a text is shown (polling the DOM, never a fixed sleep), and take
// one screenshot per step.
//
//   const walk = new Walk(page, artifactsDir);
//   await walk.step('01', 'contoso-raw-report', async () => {
//     const c = walk.pane('contoso');
//     await walk.open(c, 'sec-attestation');
//     await c.locator('#btn-attest-raw').click();
//     await walk.expectText(c.locator('#attest-raw-result'), 'Raw Report Retrieved');
//   });
//
// A failed step throws; its screenshot is saved as step-NN-...-FAILED.png.
import assert from 'node:assert/strict';
import {join} from 'node:path';

export const TIMEOUT_MS = 30000;

export class Walk {
  constructor(page, artifactsDir) {
    this.page = page;
    this.artifactsDir = artifactsDir;
    this.results = [];
  }

  // The frame of one party (iframe name=<party>).
  pane(party) {
    return this.page.frameLocator(`iframe[name=${party}]`);
  }

  // Opens a <details> section (only if closed: a click on an open one closes it).
  async open(frame, sectionId) {
    const section = frame.locator(`#${sectionId}`);
    await section.waitFor({state: 'visible', timeout: TIMEOUT_MS});
    if ((await section.getAttribute('open')) === null) {
      await section.locator(':scope > summary').click();
    }
    await frame.locator(`#${sectionId}[open]`).waitFor({timeout: TIMEOUT_MS});
  }

  // Waits until the locator's text matches (string: contains; RegExp: test).
  // The text is what is rendered (innerText: nothing of a closed section);
  // {content: true} reads textContent instead. Returns the text; the error
  // names what was expected and what was seen.
  async expectText(locator, pattern, {timeout = TIMEOUT_MS, content = false} = {}) {
    const deadline = Date.now() + timeout;
    let last = '';
    for (;;) {
      try {
        last = (content ? await locator.textContent({timeout: 1000}) : await locator.innerText({timeout: 1000})) || '';
      } catch {
        last = '(not found)';
      }
      const ok = typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last);
      if (ok) return last;
      if (Date.now() > deadline) {
        assert.fail(`expected ${pattern} in ${locator}; shown: ${JSON.stringify(last.slice(0, 1500))}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async expectNoText(locator, pattern) {
    const text = (await locator.innerText()) || '';
    const found = typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    assert.ok(!found, `did not expect ${pattern} in ${locator}; shown: ${JSON.stringify(text.slice(0, 800))}`);
  }

  // Waits until fn() returns a truthy value (a condition on the DOM).
  async until(what, fn, {timeout = TIMEOUT_MS} = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      last = await fn();
      if (last) return last;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Scrolls a result into view inside its pane, so the screenshot shows it.
  async reveal(locator) {
    await locator.scrollIntoViewIfNeeded({timeout: TIMEOUT_MS}).catch(() => {});
  }

  // A screenshot of the view (or of another page) as <name>.png.
  async screenshot(name, page = this.page) {
    const path = join(this.artifactsDir, `${name}.png`);
    await page.screenshot({path});
    return path;
  }

  // One demo step: runs body, screenshots, records the outcome. Throws on failure.
  async step(number, name, body) {
    const started = Date.now();
    const label = `step-${number}-${name}`;
    try {
      await body();
      await this.screenshot(label);
      const ms = Date.now() - started;
      this.results.push({step: label, ok: true, ms});
      process.stdout.write(`ok ${this.results.length} - ${label} (${ms} ms)\n`);
    } catch (e) {
      await this.screenshot(`${label}-FAILED`).catch(() => {});
      this.results.push({step: label, ok: false, ms: Date.now() - started, error: e.message});
      process.stdout.write(`not ok ${this.results.length} - ${label}\n  ${String(e.message).split('\n').join('\n  ')}\n`);
      throw e;
    }
  }
}
