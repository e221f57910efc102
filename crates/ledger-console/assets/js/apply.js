// Apply for a contract (the seed's three steps): choose the type; pick
// eligible orders (default: paid in the current month for an order
// contract, unpaid and placed in it for a payment request; searchable by
// product and time; at most 200); confirm the orders and Party A's
// details and generate the draft.

import { get, json, customerPath, freshKey } from './api.js';
import { el, field, input, select, table, pager, action, notice, alertError, go, money, routeQuery } from './ui.js';
import { minute, today, monthStart, zone, zoneLabel } from './time.js';

const PAGE = 20;
const MAX_ORDERS = 200;
const KIND_NAMES = { order: 'Order contract', payment_request: 'Payment request contract' };

/** The application in progress (kept while the page is open). */
let app = null;

function fresh(kind) {
  return {
    kind,
    begin: monthStart(),
    end: today(),
    product: '',
    offset: 0,
    selected: new Map(),
    key: freshKey('console-apply'),
  };
}

function stepKind(main) {
  const choose = (kind) => {
    app = fresh(kind);
    stepOrders(main);
  };
  main.replaceChildren(
    el('h2', {}, 'Apply for contract'),
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'kind-title' },
      el('h3', { id: 'kind-title' }, 'Step 1 of 3: select the contract type'),
      el('p', {}, 'The type decides which orders you can choose and the contract generated.'),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', onclick: () => choose('order') }, 'Order contract'),
        el('button', { type: 'button', onclick: () => choose('payment_request') }, 'Payment request contract'),
      ),
      el(
        'ul',
        {},
        el('li', {}, el('strong', {}, 'Order contract: '), 'for paid orders, as archival material for your company\u2019s contracts.'),
        el('li', {}, el('strong', {}, 'Payment request contract: '), 'for unpaid orders, as supporting material for payment requests or procurement.'),
      ),
      el('a', { href: '#/contracts', class: 'button secondary' }, 'Back to contracts'),
    ),
  );
  main.querySelector('button').focus();
}

async function stepOrders(main) {
  const a = app;
  const paidKind = a.kind === 'order';
  const timeLabel = paidKind ? 'Payment time' : 'Order time';
  const begin = input('begin', a.begin, { type: 'date', required: true });
  const end = input('end', a.end, { type: 'date', required: true });
  const product = input('product', a.product, { type: 'search', placeholder: 'All products' });
  const form = el(
    'form',
    { class: 'card filters', 'aria-label': 'Order search' },
    field(`${timeLabel} from`, begin),
    field(`${timeLabel} to`, end),
    field('Product name', product),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Search')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(a, { begin: begin.value, end: end.value, product: product.value.trim(), offset: 0 });
    stepOrders(main);
  });
  const count = el('p', { class: 'muted', 'aria-live': 'polite' });
  const next = el('button', { type: 'button' }, 'Next');
  const update = () => {
    count.textContent = `${a.selected.size} of at most ${MAX_ORDERS} orders selected.`;
    next.disabled = a.selected.size === 0;
  };
  next.addEventListener('click', () => stepConfirm(main));
  main.replaceChildren(
    el('h2', {}, `Apply for ${KIND_NAMES[a.kind].toLowerCase()}`),
    el('h3', {}, `Step 2 of 3: select the orders (${paidKind ? 'paid' : 'unpaid'})`),
    form,
    el('p', { class: 'loading' }, 'Loading eligible orders…'),
  );
  const range = paidKind
    ? { payment_time_begin: a.begin, payment_time_end: a.end }
    : { order_time_begin: a.begin, order_time_end: a.end };
  let page;
  try {
    page = await get(customerPath('/eligible-orders'), {
      kind: a.kind,
      time_zone: zone(),
      ...range,
      product_name: a.product || undefined,
      product_name_match: a.product ? 'contains' : undefined,
      limit: PAGE,
      offset: a.offset,
    });
  } catch (e) {
    alertError(e);
    main.lastChild.replaceWith(el('p', { class: 'muted' }, 'The eligible orders could not be loaded.'));
    return;
  }
  const check = (o) => {
    const box = el('input', { type: 'checkbox', checked: a.selected.has(o.order_id), 'aria-label': `Select ${o.order_id}` });
    box.addEventListener('change', () => {
      if (box.checked && a.selected.size >= MAX_ORDERS) {
        box.checked = false;
        alertError(new Error(`At most ${MAX_ORDERS} orders go in one contract.`));
      } else if (box.checked) a.selected.set(o.order_id, o);
      else a.selected.delete(o.order_id);
      update();
    });
    return box;
  };
  const columns = [
    ['Select', check],
    ['Order ID', (o) => el('a', { href: `#/orders/${encodeURIComponent(o.order_id)}` }, o.order_id)],
    ['Product name', (o) => o.product_name],
    ['Order type', (o) => o.order_type_name],
    ['Order time', (o) => minute(o.order_time)],
    ['Order amount', (o) => money(o.order_amount)],
  ];
  if (paidKind) columns.push(['Payment time', (o) => minute(o.payment_time)]);
  else {
    columns.push(['Payment deadline', (o) => minute(o.payment_deadline)]);
    columns.push(['Unpaid amount', (o) => money(o.unpaid_amount)]);
  }
  const caption = `Eligible orders, ${timeLabel.toLowerCase()} ${a.begin} to ${a.end} · times in ${zoneLabel()}`;
  main.lastChild.replaceWith(table(caption, columns, page.orders, 'No eligible orders in this range: orders already in a draft or official contract are not offered.'));
  main.append(
    pager('orders', page.total, PAGE, a.offset, (offset) => {
      a.offset = offset;
      stepOrders(main);
    }),
    count,
    el('div', { class: 'actions' }, next, el('button', { type: 'button', class: 'secondary', onclick: () => stepKind(main) }, 'Change type')),
  );
  update();
}

function stepConfirm(main) {
  const a = app;
  const orders = [...a.selected.values()];
  const partyKind = select('party_a_kind', [['', 'As certified'], ['enterprise', 'Enterprise'], ['personal', 'Personal']], a.partyKind || '');
  const address = input('address', a.address || '', { autocomplete: 'street-address' });
  const contact = input('contact_name', a.contact || '', { autocomplete: 'name' });
  const phone = input('contact_phone', a.phone || '', { type: 'tel', autocomplete: 'tel' });
  const tax = input('tax_id', a.tax || '');
  const remarks = el('textarea', { name: 'remarks', maxlength: 500 });
  remarks.value = a.remarks || '';
  const submit = el('button', { type: 'submit' }, 'Generate draft contract');
  const back = el('button', { type: 'button', class: 'secondary' }, 'Return to modify');
  const keep = () => Object.assign(a, {
    partyKind: partyKind.value, address: address.value, contact: contact.value, phone: phone.value, tax: tax.value, remarks: remarks.value,
  });
  back.addEventListener('click', () => {
    keep();
    stepOrders(main);
  });
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'party-title' },
    el('h3', { id: 'party-title' }, 'Contract subject information'),
    el('p', { class: 'muted' }, 'Party A\u2019s name is your real-name certification name; Party B is the provider. Supplement the details below.'),
    field('Party A type', partyKind),
    field('Address', address),
    field('Contact name', contact),
    field('Contact phone', phone),
    field('Tax ID', tax),
    field('Remarks', remarks, 'Shown in the contract list to find this contract.'),
    el('div', { class: 'actions' }, submit, back),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    keep();
    action(submit, async () => {
      const res = await json('POST', customerPath('/contracts'), {
        headers: { 'Idempotency-Key': a.key },
        body: {
          kind: a.kind,
          order_ids: orders.map((o) => o.order_id),
          ...(a.partyKind ? { party_a_kind: a.partyKind } : {}),
          party_a: { address: a.address.trim(), contact_name: a.contact.trim(), contact_phone: a.phone.trim(), tax_id: a.tax.trim() },
          remarks: a.remarks.trim(),
        },
      });
      const no = res && res.contract ? res.contract.contract_no : '';
      app = null;
      notice(`Draft contract ${no} was generated. Preview it, then convert it to an official contract.`);
      go('contracts', { status: 'all' });
    });
  });
  main.replaceChildren(
    el('h2', {}, `Apply for ${KIND_NAMES[a.kind].toLowerCase()}`),
    el('h3', {}, 'Step 3 of 3: confirm the orders and the subject information'),
    table(`Associated orders (${orders.length})`, [
      ['Order ID', (o) => o.order_id],
      ['Product name', (o) => o.product_name],
      ['Order time', (o) => minute(o.order_time)],
      ['Order amount', (o) => money(o.order_amount)],
    ], orders),
    form,
  );
  submit.focus();
}

export function renderApply(main) {
  document.title = 'Apply for contract · Billing center';
  if (routeQuery().get('new')) app = null;
  if (app) stepOrders(main);
  else stepKind(main);
}
