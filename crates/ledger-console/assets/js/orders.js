// Orders (Baidu "Order Management"): filters (order time, default the
// last 7 days; product; bill type; status; order type; precise search by
// order id or instance id), the seed's columns, Pay and Cancel on unpaid
// rows, Details, CSV download, and (operator view) Void.

import { get, file, json, customerPath, freshKey, session } from './api.js';
import {
  el, field, select, input, table, pager, action, notice, alertError, dialog, saveBlob, routeQuery, go, money, badge,
} from './ui.js';
import { minute, today, addDays, zone, zoneLabel } from './time.js';

const PAGE = 10;

export const BILL_TYPES = [['all', 'All'], ['prepay', 'Prepay'], ['postpay', 'Postpay']];
export const STATUSES = [['all', 'All'], ['unpaid', 'Unpaid'], ['paid', 'Paid'], ['cancelled', 'Cancelled'], ['voided', 'Voided']];
export const ORDER_TYPES = [
  ['', 'All'],
  ['purchase', 'Purchase'],
  ['renewal', 'Renewal'],
  ['upgrade', 'Upgrade'],
  ['downgrade', 'Downgrade'],
  ['configuration_change', 'Configuration change'],
  ['compensation', 'Compensation duration'],
];
const PRODUCTS = ['Elastic Cloud Server', 'Elastic Volume Service', 'Object Storage Service', 'Relational Database Service'];

/** The filters in the route, with the seed's defaults. */
function filters() {
  const q = routeQuery();
  const end = q.get('end') || today();
  return {
    begin: q.get('begin') || addDays(end, -6),
    end,
    product: q.get('product') || '',
    bill_type: q.get('bill_type') || 'all',
    status: q.get('status') || 'all',
    order_type: q.get('order_type') || '',
    search_by: q.get('search_by') === 'instance_id' ? 'instance_id' : 'order_id',
    search: q.get('search') || '',
    offset: Math.max(0, Number(q.get('offset')) || 0),
  };
}

/** The API's query for the filters (a precise search spans all time). */
function apiQuery(f) {
  const q = {
    time_zone: zone(),
    bill_type: f.bill_type,
    status: f.status,
    order_type: f.order_type || undefined,
  };
  if (f.product) {
    q.product_name = f.product;
    q.product_name_match = 'contains';
  }
  if (f.search) q[f.search_by] = f.search;
  else {
    q.order_time_begin = f.begin;
    q.order_time_end = f.end;
  }
  return q;
}

function filterForm(f) {
  const begin = input('begin', f.begin, { type: 'date', required: true });
  const end = input('end', f.end, { type: 'date', required: true });
  const product = input('product', f.product, { list: 'products', placeholder: 'All products', autocomplete: 'off' });
  const products = el('datalist', { id: 'products' }, PRODUCTS.map((p) => el('option', { value: p })));
  const searchBy = select('search_by', [['order_id', 'Order ID'], ['instance_id', 'Instance ID']], f.search_by);
  const search = input('search', f.search, { type: 'search', placeholder: 'e.g. CS24DEMO0001', spellcheck: 'false' });
  const form = el(
    'form',
    { class: 'card filters', 'aria-label': 'Order filters' },
    field('Order time from', begin),
    field('Order time to', end),
    field('Product name', product),
    products,
    field('Bill type', select('bill_type', BILL_TYPES, f.bill_type)),
    field('Status', select('status', STATUSES, f.status)),
    field('Order type', select('order_type', ORDER_TYPES, f.order_type)),
    field('Precise search by', searchBy),
    field('Order or instance ID', search, 'Searches all time.'),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit' }, 'Search'),
      el('button', { type: 'button', class: 'secondary', onclick: () => go('orders') }, 'Reset'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const d = Object.fromEntries(new FormData(form).entries());
    go('orders', { ...d, search: d.search.trim(), product: d.product.trim() });
  });
  return form;
}

/** Pays an unpaid order from the balance (and the coupons chosen), via
 * the Huawei-compatible pay route; resolves true when paid. */
export async function payOrder(order, button) {
  let coupons = [];
  try {
    const c = await get('/v2/promotions/benefits/coupons', { status: 2, limit: 100 });
    coupons = (c.user_coupons || []).filter((x) => x.coupon_type === 1 || x.coupon_type === 2);
  } catch {
    coupons = [];
  }
  const body = [
    el('p', {}, `Pay ${money(order.amount_due ?? order.order_amount, order.currency)} for order ${order.order_id} (${order.product_name}) from your balance.`),
  ];
  if (coupons.length) {
    body.push(
      el(
        'fieldset',
        {},
        el('legend', {}, 'Coupons to use (at most 3)'),
        coupons.map((c) =>
          el(
            'label',
            {},
            el('input', { type: 'checkbox', name: `coupon:${c.coupon_id}`, value: c.coupon_type === 1 ? '301' : '300' }),
            `${c.coupon_id} · ${money(c.face_value, c.currency)}`,
          ),
        ),
      ),
    );
  }
  const answer = await dialog('Pay order', body, 'Pay');
  if (!answer) return false;
  const chosen = Object.entries(answer)
    .filter(([k]) => k.startsWith('coupon:'))
    .map(([k, v]) => ({ id: k.slice(7), type: Number(v) }));
  const done = await action(button, async () => {
    await json('POST', '/v3/orders/customer-orders/pay', {
      body: {
        order_id: order.order_id,
        use_coupon: chosen.length ? 'YES' : 'NO',
        use_discount: 'NO',
        ...(chosen.length ? { coupon_infos: chosen } : {}),
      },
      headers: { 'Idempotency-Key': freshKey('console-pay') },
    });
    notice(`Order ${order.order_id} paid.`);
    return true;
  });
  return done === true;
}

export async function cancelOrder(order, button) {
  const ok = await dialog('Cancel order', `Cancel unpaid order ${order.order_id} (${order.product_name})? This cannot be undone.`, 'Cancel order');
  if (!ok) return false;
  const done = await action(button, async () => {
    await json('POST', customerPath(`/orders/${encodeURIComponent(order.order_id)}/cancel`), {
      headers: { 'Idempotency-Key': freshKey('console-cancel') },
    });
    notice(`Order ${order.order_id} cancelled.`);
    return true;
  });
  return done === true;
}

/** Operator view: voids an order with a reason. */
export async function voidOrder(order, button) {
  const reason = input('reason', '', { required: true, maxlength: 500 });
  const ok = await dialog('Void order', [el('p', {}, `Void order ${order.order_id}? Operators only.`), field('Reason', reason)], 'Void order');
  if (!ok) return false;
  const done = await action(button, async () => {
    await json('POST', customerPath(`/orders/${encodeURIComponent(order.order_id)}/void`), {
      body: { reason: ok.reason.trim() },
      headers: { 'Idempotency-Key': freshKey('console-void-order') },
    });
    notice(`Order ${order.order_id} voided.`);
    return true;
  });
  return done === true;
}

function operations(o, reload) {
  const s = session();
  const cell = el('div', { class: 'row-actions' });
  cell.append(el('a', { href: `#/orders/${encodeURIComponent(o.order_id)}`, class: 'button secondary', 'aria-label': `Details of ${o.order_id}` }, 'Details'));
  const ops = o.operations || {};
  if (ops.pay) {
    const b = el('button', { type: 'button', 'aria-label': `Pay ${o.order_id}` }, 'Pay');
    b.addEventListener('click', async () => (await payOrder(o, b)) && reload());
    cell.append(b);
  }
  if (ops.cancel) {
    const b = el('button', { type: 'button', class: 'danger', 'aria-label': `Cancel ${o.order_id}` }, 'Cancel');
    b.addEventListener('click', async () => (await cancelOrder(o, b)) && reload());
    cell.append(b);
  }
  if (s && s.role === 'operator' && o.status !== 'voided' && o.status !== 'cancelled') {
    const b = el('button', { type: 'button', class: 'danger', 'aria-label': `Void ${o.order_id}` }, 'Void');
    b.addEventListener('click', async () => (await voidOrder(o, b)) && reload());
    cell.append(b);
  }
  return cell;
}

export const COLUMNS = (reload) => [
  ['Order ID', (o) => el('a', { href: `#/orders/${encodeURIComponent(o.order_id)}` }, o.order_id)],
  ['Product name', (o) => o.product_name],
  ['Status', (o) => badge(o.status_name, o.status)],
  ['Order amount', (o) => money(o.order_amount)],
  ['Cash payment', (o) => money(o.cash_payment)],
  ['Order type', (o) => o.order_type_name],
  ['Bill type', (o) => o.bill_type_name],
  ['Order time', (o) => minute(o.order_time)],
  ['Operation', (o) => operations(o, reload)],
];

export async function renderOrders(main) {
  document.title = 'Orders · Billing center';
  const f = filters();
  const q = apiQuery(f);
  const reload = () => go('orders', { ...f, offset: f.offset || undefined });
  const heading = el('div', { class: 'toolbar' }, el('h2', {}, 'Orders'));
  const download = el('button', { type: 'button', class: 'secondary' }, 'Download CSV');
  download.addEventListener('click', () =>
    action(download, async () => {
      const blob = await file(customerPath('/orders.csv'), q);
      saveBlob(blob, `orders-${f.search || `${f.begin}_${f.end}`}.csv`);
      notice('The order list was downloaded as CSV.');
    }),
  );
  heading.append(download);
  main.replaceChildren(heading, filterForm(f), el('p', { class: 'loading' }, 'Loading orders…'));
  let page;
  try {
    page = await get(customerPath('/orders'), { ...q, limit: PAGE, offset: f.offset });
  } catch (e) {
    alertError(e);
    main.lastChild.replaceWith(el('p', { class: 'muted' }, 'The orders could not be loaded.'));
    return;
  }
  const span = f.search ? `all time, ${f.search_by === 'order_id' ? 'order' : 'instance'} ${f.search}` : `${f.begin} to ${f.end}`;
  const caption = `Orders, ${span} · times in ${zoneLabel()}`;
  const list = table(caption, COLUMNS(reload), page.orders, 'No orders match these filters.');
  const pages = pager('orders', page.total, PAGE, f.offset, (offset) => go('orders', { ...f, offset }));
  main.lastChild.replaceWith(list);
  main.append(pages);
}
