// web/party/encrypt.js — "🔒 Encrypt Data Using <Company> Key" (seed-app.md
// 9.3 item 7): each keystroke (200 ms debounce) goes to POST /encrypt, which
// answers a JWE (RSA-OAEP-256 to the released key + A256GCM). Disabled until
// the key is released ("key-released" on ctx.bus).
import {api} from './api.js';
import {$} from './dom.js';

const MAX_BYTES = 65536;

export function initEncrypt(ctx) {
  const input = $('encrypt-input');
  const output = $('encrypt-output');
  const status = $('encrypt-status');
  $('encrypt-company').textContent = ctx.cfg.company_name || '';
  input.disabled = true;
  const enable = () => {
    input.disabled = false;
    status.textContent = '✅ Key released successfully! You can now encrypt text in real-time.';
    status.classList.add('ok');
  };
  if (ctx.state.keyReleased) enable();
  ctx.bus.addEventListener('key-released', enable);

  let timer = null;
  let seq = 0;
  const encrypt = async () => {
    const text = input.value;
    const mine = ++seq;
    $('encrypt-count').textContent = `${text.length} characters | Max: ${MAX_BYTES} bytes`;
    if (!text) {
      output.value = '';
      output.dataset.state = 'idle';
      return;
    }
    output.dataset.state = 'working';
    const r = await api('POST', '/encrypt', {plaintext: text});
    if (mine !== seq) return;  // a newer keystroke won
    if (r.ok) {
      output.value = r.data.ciphertext;
      output.dataset.state = 'ok';
      $('encrypt-info').textContent = `${r.data.ciphertext_length} bytes encrypted | Algorithm: ${r.data.algorithm}`;
    } else {
      output.value = '';
      output.dataset.state = 'fail';
      $('encrypt-info').textContent = r.data.message || `HTTP ${r.status}`;
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(encrypt, 200);
  });
}
