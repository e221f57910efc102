// Account: the balance (Huawei-compatible ShowCustomerAccountBalances)
// and the coupons (ListSubCustomerCoupons), paged, as the API gives them.

import { get, huaweiCustomer } from './api.js';
import { el, table, pager, alertError, money, badge, select, field, routeQuery, go } from './ui.js';
import { minute, zoneLabel } from './time.js';

const PAGE = 10;
const COUPON_TYPES = { 1: 'Cash coupon', 2: 'Discount coupon', 3: 'Product coupon', 4: 'Cash (flexi-purchase or card)' };
const COUPON_STATUSES = { 1: 'Not active yet', 2: 'Usable', 3: 'Used', 4: 'Expired', 5: 'Reclaimed' };

export async function renderAccount(main) {
  document.title = 'Account · Billing center';
  const q = routeQuery();
  const status = q.get('status') || '';
  const offset = Math.max(0, Number(q.get('offset')) || 0);
  main.replaceChildren(el('h2', {}, 'Account'), el('p', { class: 'loading' }, 'Loading the account…'));
  let balances;
  let coupons;
  try {
    [balances, coupons] = await Promise.all([
      get('/v2/accounts/customer-accounts/balances', huaweiCustomer()),
      get('/v2/promotions/benefits/coupons', { ...huaweiCustomer(), status: status || undefined, limit: PAGE, offset }),
    ]);
  } catch (e) {
    alertError(e);
    main.lastChild.replaceWith(el('p', { class: 'muted' }, 'The account could not be loaded.'));
    return;
  }
  const accounts = balances.account_balances || [];
  const balance = el(
    'section',
    { class: 'card', 'aria-labelledby': 'balance-title' },
    el('h3', { id: 'balance-title' }, 'Balance'),
    accounts.map((a) => el('p', { class: 'balance', 'data-currency': a.currency }, money(a.amount, a.currency))),
    el('p', { class: 'muted' }, `Debt: ${money(balances.debt_amount, balances.currency)}. Orders are paid from this balance and your coupons.`),
  );
  const filter = select('status', [['', 'All'], ['2', 'Usable'], ['1', 'Not active yet'], ['3', 'Used'], ['4', 'Expired']], status);
  filter.addEventListener('change', () => go('account', { status: filter.value }));
  const list = table(
    `Coupons · times in ${zoneLabel()}`,
    [
      ['Coupon ID', (c) => c.coupon_id],
      ['Type', (c) => COUPON_TYPES[c.coupon_type] || String(c.coupon_type)],
      ['Face value', (c) => money(c.face_value, c.currency)],
      ['Balance', (c) => (c.balance === null || c.balance === undefined ? '—' : money(c.balance, c.currency))],
      ['Status', (c) => badge(COUPON_STATUSES[c.status] || String(c.status), c.status === 2 ? 'paid' : 'cancelled')],
      ['Valid from', (c) => minute(c.valid_time)],
      ['Expires', (c) => minute(c.expire_time)],
      ['Last order', (c) => (c.order_id ? el('a', { href: `#/orders/${encodeURIComponent(c.order_id)}` }, c.order_id) : '—')],
    ],
    coupons.user_coupons || [],
    'No coupons.',
  );
  main.replaceChildren(
    el('h2', {}, 'Account'),
    balance,
    el('div', { class: 'toolbar' }, el('h3', {}, 'Coupons'), field('Coupon status', filter)),
    list,
    pager('coupons', coupons.count || 0, PAGE, offset, (o) => go('account', { status, offset: o })),
  );
}
