// Sign in with a key's token and the customer id it acts for. A customer
// key acts for its own domain; an operator key shows the operator view
// (voiding official contracts and orders) for the customer named.

import { get, saveSession, ApiError } from './api.js';
import { el, field, input, action, notice, alertError } from './ui.js';

/** Whether the token is an operator's: `/metrics` is for operators only. */
async function isOperator(token) {
  const res = await fetch('/metrics', { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit' });
  return res.ok;
}

export function renderSignIn(main, signedIn) {
  document.title = 'Sign in · Billing center';
  const token = input('token', '', { type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' });
  const customer = input('customer', '', {
    required: true,
    autocomplete: 'username',
    pattern: '[0-9A-Za-z]{1,64}',
    spellcheck: 'false',
  });
  const submit = el('button', { type: 'submit' }, 'Sign in');
  const form = el(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    el('h2', { id: 'signin-title' }, 'Sign in'),
    el(
      'p',
      {},
      'Use a token from ',
      el('code', {}, 'order-ledger keys create --role customer --customer <id>'),
      ' (or an operator key for the operator view). The token stays in this tab only.',
    ),
    field('Token', token),
    field('Customer (domain) id', customer, 'The customer whose orders and contracts to open.'),
    el('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    action(submit, async () => {
      const t = token.value.trim();
      const c = customer.value.trim();
      try {
        await get(`/v1/customers/${encodeURIComponent(c)}/orders`, { limit: 1 }, { token: t });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'access_denied') {
          throw new ApiError(err.status, {
            code: err.code,
            error_code: 'CBC.0151',
            error_msg: `this token may not act for customer ${c}`,
          });
        }
        throw err;
      }
      const role = (await isOperator(t)) ? 'operator' : 'customer';
      saveSession({ token: t, customer: c, role });
      notice(role === 'operator' ? `Signed in: operator view for ${c}.` : `Signed in as ${c}.`);
      signedIn();
    }).catch(alertError);
  });
  main.replaceChildren(form);
  token.focus();
}
