// The ledger's REST API, called with the signed-in caller's bearer token.
// Every error answer ({"error_code","error_msg","code"}) becomes an
// ApiError whose message is said in words.

const SESSION = 'order-ledger.session';

/** The signed-in caller: {token, customer, role} or null. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION) || 'null');
    return s && s.token && s.customer ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(SESSION, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(SESSION);
}

/** What each stable error code means, for a person. */
const WORDS = {
  unauthenticated: 'The token was not accepted: sign in again with a valid token',
  token_expired: 'This token has expired: create a new key and sign in again',
  access_denied: 'Not allowed for this sign-in',
  not_permitted: 'Not allowed for this sign-in',
  actor_not_permitted: 'Your role may not do this',
  order_of_another_customer: 'That order belongs to another customer',
  cancel_not_allowed: 'This order can no longer be cancelled',
  payment_deadline_passed: 'The payment deadline of this order has passed',
  order_not_unpaid: 'The order is no longer unpaid',
  order_not_voidable: 'The order cannot be voided in its status',
  order_not_paid: 'The order is not paid',
  insufficient_balance: 'Your balance is too low to pay this order',
  coupon_already_used: 'That coupon is already used',
  coupon_not_found: 'No such coupon',
  order_not_found: 'No such order',
  contract_not_found: 'No such contract',
  customer_not_found: 'No such customer',
  not_found: 'Not found',
  void_ticket_required: 'Voiding an official contract needs a ticket',
  bad_parameter: 'The request was not understood',
  invalid_parameter: 'A value was refused',
  unavailable: 'The ledger is busy: try again',
  not_caught_up: 'The change was recorded but is not shown yet: try again',
  contention: 'The ledger is busy: try again',
  internal: 'The ledger failed',
};

export class ApiError extends Error {
  constructor(status, body) {
    const code = body && body.code ? body.code : `http_${status}`;
    const detail = (body && body.error_msg) || `the server answered HTTP ${status}`;
    const lead = WORDS[code] || (status >= 500 ? 'The ledger failed' : 'Refused');
    const ref = body && body.error_code ? ` (${body.error_code}, ${code})` : ` (HTTP ${status})`;
    super(`${lead}: ${detail}${ref}`);
    this.status = status;
    this.code = code;
  }
}

function url(path, query) {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one);
  }
  return u.pathname + u.search;
}

async function send(method, path, { query, body, headers, token } = {}) {
  const s = session();
  const h = { Accept: 'application/json', ...(headers || {}) };
  const bearer = token || (s && s.token);
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url(path, query), { method, headers: h, body: payload, credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, { code: 'unavailable', error_msg: `the ledger did not answer (${e.message})` });
  }
  if (!res.ok) {
    let err = null;
    try {
      err = await res.json();
    } catch {
      err = null;
    }
    throw new ApiError(res.status, err);
  }
  return res;
}

/** A JSON answer (null for 204). */
export async function json(method, path, options) {
  const res = await send(method, path, options);
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, query, options) => json('GET', path, { ...(options || {}), query });

/** A file answer (CSV, PDF) as a Blob. */
export async function file(path, query) {
  const res = await send('GET', path, { query, headers: { Accept: '*/*' } });
  return res.blob();
}

/** `/v1/customers/<signed-in customer><rest>`. */
export function customerPath(rest) {
  const s = session();
  return `/v1/customers/${encodeURIComponent(s ? s.customer : '')}${rest}`;
}

/** A fresh idempotency key. */
export function freshKey(prefix) {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return `${prefix}-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/** Query parameters naming the customer on the Huawei routes (operators
 * and services act for one; a customer's key names its own). */
export function huaweiCustomer() {
  const s = session();
  return s && s.role !== 'customer' ? { customer_id: s.customer } : {};
}
