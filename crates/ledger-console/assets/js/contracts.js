// Contracts (Baidu "Apply for Electronic Contract", the list): default
// the last 3 months, type and status filters, associated orders, remarks,
// Preview (click the number; not for voided), Download, Convert, Void a
// draft; the operator view voids official contracts with a ticket.
//
// The documents come from the contract document routes:
// `GET .../contracts/{no}/preview.pdf` (shown in a frame and a new tab)
// and `GET .../contracts/{no}/document.pdf` (saved as a file).

import { get, file, json, customerPath, freshKey, session } from './api.js';
import {
  el, field, select, input, table, pager, action, notice, alertError, dialog, saveBlob, routeQuery, go, badge,
} from './ui.js';
import { minute, day, today, monthsBefore, zone, zoneLabel } from './time.js';

const PAGE = 10;
export const KINDS = [['all', 'All'], ['order', 'Order contract'], ['payment_request', 'Payment request contract']];
const STATUSES = [['all', 'All'], ['draft', 'Draft'], ['official', 'Active official'], ['voided', 'Voided'], ['invalid', 'Invalid']];

function filters() {
  const q = routeQuery();
  const end = q.get('end') || today();
  return {
    begin: q.get('begin') || monthsBefore(end, 3),
    end,
    kind: q.get('kind') || 'all',
    status: q.get('status') || 'all',
    offset: Math.max(0, Number(q.get('offset')) || 0),
  };
}

function contractPath(no, rest = '') {
  return customerPath(`/contracts/${encodeURIComponent(no)}${rest}`);
}

let previewUrl = null;

/** Fetches the preview PDF and shows it in the preview panel. */
async function preview(c, panel, button) {
  await action(button, async () => {
    const blob = await file(contractPath(c.contract_no, '/preview.pdf'));
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(blob.type === 'application/pdf' ? blob : new Blob([blob], { type: 'application/pdf' }));
    panel.replaceChildren(
      el('div', { class: 'toolbar' },
        el('h3', { id: 'preview-title' }, `Preview of ${c.contract_no}`),
        el('div', { class: 'row-actions' },
          el('a', { href: previewUrl, target: '_blank', rel: 'noopener', class: 'button secondary' }, 'Open in a new tab'),
          el('button', { type: 'button', class: 'secondary', onclick: () => panel.replaceChildren() }, 'Close preview'))),
      el('iframe', { class: 'preview', src: previewUrl, title: `Contract ${c.contract_no} preview` }),
    );
    panel.hidden = false;
    panel.scrollIntoView({ block: 'nearest' });
    notice(`Showing the preview of contract ${c.contract_no}.`);
  });
}

async function download(c, button) {
  await action(button, async () => {
    const blob = await file(contractPath(c.contract_no, '/document.pdf'));
    saveBlob(blob, `${c.contract_no}.pdf`);
    notice(`Contract ${c.contract_no} was downloaded.`);
  });
}

async function command(button, path, body, done) {
  const ok = await action(button, async () => {
    await json(path.method || 'POST', path.url, { body, headers: { 'Idempotency-Key': freshKey('console') } });
    notice(done);
    return true;
  });
  return ok === true;
}

async function convert(c, button) {
  const ok = await dialog(
    'Convert to official contract',
    `Convert draft ${c.contract_no} to an official contract? It will be stamped with the provider's seal and have legal effect; you cannot void it yourself afterwards.`,
    'Convert',
  );
  return ok && command(button, { url: contractPath(c.contract_no, '/convert') }, {}, `Contract ${c.contract_no} is now an official contract.`);
}

async function voidDraft(c, button) {
  const ok = await dialog('Void draft contract', `Void draft ${c.contract_no}? Its orders are released and may be put in a new application.`, 'Void');
  return ok && command(button, { url: contractPath(c.contract_no, '/void') }, undefined, `Contract ${c.contract_no} was voided.`);
}

async function voidOfficial(c, button) {
  const ticket = input('ticket_id', '', { required: true, pattern: '[0-9A-Za-z_.:\\-]{1,64}', spellcheck: 'false' });
  const reason = input('reason', '', { required: true, maxlength: 500 });
  const ok = await dialog(
    'Void official contract',
    [el('p', {}, `Void official contract ${c.contract_no} for the customer's ticket.`), field('Ticket ID', ticket), field('Reason', reason)],
    'Void',
  );
  return ok && command(button, { url: contractPath(c.contract_no, '/void') }, { ticket_id: ok.ticket_id.trim(), reason: ok.reason.trim() }, `Contract ${c.contract_no} was voided (ticket ${ok.ticket_id.trim()}).`);
}

async function editRemarks(c, button) {
  const r = el('textarea', { name: 'remarks', maxlength: 500 });
  r.value = c.remarks || '';
  const ok = await dialog(`Remarks of ${c.contract_no}`, [field('Remarks', r)], 'Save');
  return ok && command(button, { method: 'PUT', url: contractPath(c.contract_no, '/remarks') }, { remarks: ok.remarks }, `Remarks of ${c.contract_no} saved.`);
}

function showOrders(c) {
  dialog(`Orders of ${c.contract_no}`, [el('ul', {}, (c.order_ids || []).map((id) => el('li', {}, el('a', { href: `#/orders/${encodeURIComponent(id)}` }, id))))], 'Close');
}

function validPeriod(c) {
  const v = c.valid_period || {};
  if (!v.from && !v.to) return '—';
  return `${v.from ? day(v.from) : '…'} to ${v.to ? day(v.to) : '…'}`;
}

function operations(c, panel, reload) {
  const ops = c.operations || {};
  const s = session();
  const cell = el('div', { class: 'row-actions' });
  const add = (text, cls, f, label) => {
    const b = el('button', { type: 'button', class: cls, 'aria-label': `${label || text} ${c.contract_no}` }, text);
    b.addEventListener('click', async () => (await f(c, b)) && reload());
    cell.append(b);
  };
  if (ops.preview) add('Preview', 'secondary', (x, b) => preview(x, panel, b).then(() => false));
  if (ops.download) add('Download', 'secondary', (x, b) => download(x, b).then(() => false));
  if (ops.convert) add('Convert', '', convert, 'Convert to official');
  if (ops.void) add('Void', 'danger', voidDraft);
  if (ops.void_by_ticket && s && s.role === 'operator') add('Void (ticket)', 'danger', voidOfficial, 'Void by ticket');
  else if (ops.void_by_ticket) cell.append(el('small', { class: 'muted' }, 'To void, submit a ticket.'));
  return cell;
}

function filterForm(f) {
  const form = el(
    'form',
    { class: 'card filters', 'aria-label': 'Contract filters' },
    field('Applied from', input('begin', f.begin, { type: 'date', required: true })),
    field('Applied to', input('end', f.end, { type: 'date', required: true })),
    field('Contract type', select('kind', KINDS, f.kind)),
    field('Status', select('status', STATUSES, f.status)),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit' }, 'Search'),
      el('button', { type: 'button', class: 'secondary', onclick: () => go('contracts') }, 'Reset'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('contracts', Object.fromEntries(new FormData(form).entries()));
  });
  return form;
}

export async function renderContracts(main) {
  document.title = 'Contracts · Billing center';
  const f = filters();
  const reload = () => renderContracts(main);
  const panel = el('section', { class: 'card', id: 'preview', 'aria-labelledby': 'preview-title', hidden: true });
  const heading = el(
    'div',
    { class: 'toolbar' },
    el('h2', {}, 'Contracts'),
    el('a', { href: '#/contracts/apply?new=1', class: 'button' }, 'Apply for contract'),
  );
  main.replaceChildren(heading, filterForm(f), el('p', { class: 'loading' }, 'Loading contracts…'));
  let page;
  try {
    page = await get(customerPath('/contracts'), {
      time_zone: zone(),
      applied_time_begin: f.begin,
      applied_time_end: f.end,
      kind: f.kind,
      status: f.status,
      limit: PAGE,
      offset: f.offset,
    });
  } catch (e) {
    alertError(e);
    main.lastChild.replaceWith(el('p', { class: 'muted' }, 'The contracts could not be loaded.'));
    return;
  }
  const columns = [
    [
      'Contract No.',
      (c) =>
        c.operations && c.operations.preview
          ? el('button', { type: 'button', class: 'link', onclick: (e) => preview(c, panel, e.currentTarget), title: 'Preview the contract' }, c.contract_no)
          : c.contract_no,
    ],
    ['Contract type', (c) => c.kind_name],
    [
      'Associated orders',
      (c) => el('span', {}, `${c.order_count} `, el('button', { type: 'button', class: 'link', onclick: () => showOrders(c), 'aria-label': `Orders of ${c.contract_no}` }, 'Show')),
    ],
    [
      'Remarks',
      (c) => {
        const b = el('button', { type: 'button', class: 'link', 'aria-label': `Edit remarks of ${c.contract_no}` }, 'Edit');
        b.addEventListener('click', async () => (await editRemarks(c, b)) && reload());
        return el('span', {}, c.remarks ? `${c.remarks} ` : '', b);
      },
    ],
    ['Application time', (c) => minute(c.applied_at)],
    ['Valid period', validPeriod],
    ['Status', (c) => badge(c.status_name, c.status)],
    ['Operation', (c) => operations(c, panel, reload)],
  ];
  const caption = `Contracts applied ${f.begin} to ${f.end} · times in ${zoneLabel()}`;
  main.lastChild.replaceWith(table(caption, columns, page.contracts, 'No contracts match these filters.'));
  main.append(pager('contracts', page.total, PAGE, f.offset, (offset) => go('contracts', { ...f, offset })), panel);
}
