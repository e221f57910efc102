// Order details (the seed's configuration page): the order's facts, its
// line items (product, configuration, count, duration, unit price, charge
// type, product amount) and its deductions (discounts, coupons, cash).

import { get, customerPath, session } from './api.js';
import { el, table, alertError, money, badge } from './ui.js';
import { minute, zoneLabel } from './time.js';
import { payOrder, cancelOrder, voidOrder } from './orders.js';

function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function duration(d) {
  if (!d) return '—';
  return `${d.number} ${d.period_type}${d.number === 1 ? '' : 's'}`;
}

function discounts(info, currency) {
  const rows = (info && info.discounts) || [];
  return table(
    'Discounts',
    [
      ['Discount type', (d) => String(d.discount_type)],
      ['Description', (d) => d.description],
      ['Amount', (d) => money(d.amount, currency)],
    ],
    rows,
    'No discounts.',
  );
}

export async function renderDetails(main, orderId) {
  document.title = `Order ${orderId} · Billing center`;
  const path = customerPath(`/orders/${encodeURIComponent(orderId)}`);
  let o;
  let d;
  try {
    [o, d] = await Promise.all([get(path), get(`${path}/deductions`).catch(() => null)]);
  } catch (e) {
    alertError(e);
    main.replaceChildren(el('p', {}, el('a', { href: '#/orders' }, 'Back to orders')));
    return;
  }
  const cur = o.currency;
  const reload = () => renderDetails(main, orderId);
  const buttons = el('div', { class: 'actions' }, el('a', { href: '#/orders', class: 'button secondary' }, 'Back to orders'));
  if (o.operations && o.operations.pay) {
    const b = el('button', { type: 'button' }, 'Pay');
    b.addEventListener('click', async () => (await payOrder(o, b)) && reload());
    buttons.append(b);
  }
  if (o.operations && o.operations.cancel) {
    const b = el('button', { type: 'button', class: 'danger' }, 'Cancel order');
    b.addEventListener('click', async () => (await cancelOrder(o, b)) && reload());
    buttons.append(b);
  }
  const s = session();
  if (s && s.role === 'operator' && !['voided', 'cancelled'].includes(o.status)) {
    const b = el('button', { type: 'button', class: 'danger' }, 'Void order');
    b.addEventListener('click', async () => (await voidOrder(o, b)) && reload());
    buttons.append(b);
  }
  const summary = el(
    'section',
    { class: 'card', 'aria-labelledby': 'order-title' },
    el('h2', { id: 'order-title' }, `Order ${o.order_id} `, badge(o.status_name, o.status)),
    facts([
      ['Product name', o.product_name],
      ['Order type', o.order_type_name],
      ['Bill type', o.bill_type_name],
      ['Charge type', o.charge_type_name],
      ['Order time', minute(o.order_time)],
      ['Payment deadline', o.status === 'unpaid' ? minute(o.payment_deadline) : undefined],
      ['Payment time', o.payment_time ? minute(o.payment_time) : undefined],
      ['Cancelled', o.cancelled_at ? `${minute(o.cancelled_at)} (${o.cancel_reason || 'cancelled'})` : undefined],
      ['Voided', o.voided_at ? `${minute(o.voided_at)} (${o.void_reason || 'voided'})` : undefined],
      ['Order amount', money(o.order_amount, cur)],
      ['Amount due', money(o.amount_due, cur)],
      ['Instance IDs', (o.instance_ids || []).join(', ') || '—'],
      ['Contract', o.contract_no || '—'],
      ['Times in', zoneLabel()],
    ]),
    buttons,
  );
  const lines = table(
    'Configuration',
    [
      ['Product name', () => o.product_name],
      ['Configuration', (l) => l.configuration],
      ['Count', (l) => String(l.count)],
      ['Duration', (l) => duration(l.duration)],
      ['Unit price', (l) => `${money(l.unit_price, cur)} / ${l.unit_price_per}`],
      ['Charge type', (l) => l.charge_type_name],
      ['Product amount', (l) => money(l.product_amount, cur)],
      ['Amount due', (l) => money(l.amount_due, cur)],
    ],
    o.line_items || [],
    'No line items.',
  );
  const parts = [summary, el('h3', {}, 'Line items'), lines, el('h3', {}, 'Deductions')];
  if (d) {
    parts.push(
      el(
        'section',
        { class: 'card', 'aria-label': 'Deductions' },
        facts([
          ['List price', money(d.currency_official, cur)],
          ['After discounts', money(d.currency_after_discount, cur)],
          ['Coupons', money(d.amount_info && d.amount_info.coupon_amount, cur)],
          ['Cash coupons', money(d.amount_info && d.amount_info.cash_coupon_amount, cur)],
          ['Stored-value cards', money(d.amount_info && d.amount_info.card_amount, cur)],
          ['Paid from balance', money(d.balance_amount, cur)],
          ['Cash paid', money(d.cash_amount, cur)],
        ]),
      ),
      discounts(d.amount_info, cur),
    );
    if ((d.vouchers || []).length) {
      parts.push(
        table(
          'Vouchers used',
          [
            ['Kind', (v) => v.kind],
            ['Voucher', (v) => v.voucher_id],
            ['Amount', (v) => money(v.amount, cur)],
          ],
          d.vouchers,
        ),
      );
    }
  } else {
    parts.push(discounts(o.amount_info, cur));
  }
  main.replaceChildren(...parts);
  document.getElementById('view').focus();
}
