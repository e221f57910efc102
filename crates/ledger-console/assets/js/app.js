// The console's shell: routes (`#/orders`, `#/orders/<id>`, `#/contracts`,
// `#/contracts/apply`, `#/account`), the header and the time zone.

import { session, clearSession } from './api.js';
import { el, hideAlert, notice } from './ui.js';
import { ZONES, zone, setZone } from './time.js';
import { renderSignIn } from './signin.js';
import { renderOrders } from './orders.js';
import { renderDetails } from './details.js';
import { renderContracts } from './contracts.js';
import { renderApply } from './apply.js';
import { renderAccount } from './account.js';

const view = () => document.getElementById('view');

function header() {
  const s = session();
  document.getElementById('nav').hidden = !s;
  document.getElementById('who').hidden = !s;
  if (!s) return;
  const role = s.role === 'operator' ? 'Operator view' : 'Customer';
  document.getElementById('who-text').textContent = `${role} · ${s.customer}`;
  const tz = document.getElementById('tz');
  if (tz.options.length === 0) {
    for (const z of ZONES) tz.append(el('option', { value: z }, z));
  }
  tz.value = zone();
}

function path() {
  const h = window.location.hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  return (q < 0 ? h : h.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
}

async function route() {
  header();
  // Each route renders into its own container: a slower render of a page
  // left meanwhile writes into a detached node, never over the new page.
  const main = el('div', { class: 'page' });
  view().replaceChildren(main);
  const s = session();
  const [page, id] = path();
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === (page || 'orders')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!s) {
    document.title = 'Sign in · Billing center';
    return renderSignIn(main, () => {
      header();
      if (window.location.hash.startsWith('#/orders')) route();
      else window.location.hash = '#/orders';
    });
  }
  main.replaceChildren(el('p', { class: 'loading' }, 'Loading…'));
  if (page === 'orders' && id) return renderDetails(main, id);
  if (page === 'contracts' && id === 'apply') return renderApply(main);
  if (page === 'contracts') return renderContracts(main);
  if (page === 'account') return renderAccount(main);
  return renderOrders(main);
}

function start() {
  document.getElementById('sign-out').addEventListener('click', () => {
    clearSession();
    notice('Signed out.');
    window.location.hash = '#/';
    route();
  });
  document.getElementById('tz').addEventListener('change', (e) => {
    setZone(e.target.value);
    notice(`Times are shown in ${zone()}.`);
    route();
  });
  window.addEventListener('hashchange', () => {
    hideAlert();
    route();
  });
  route();
}

start();
