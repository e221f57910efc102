// Browser test of the web console. Starts the real `order-ledger serve`
// (the newest of target/{release,debug}/order-ledger, or ORDER_LEDGER_BIN)
// on free ports with a temporary data directory holding the demo sample,
// then drives http://127.0.0.1:PORT/console/ in headless Chromium:
// sign in, filter orders, pay one, cancel one, details, CSV, apply for a
// contract, preview and download it, convert it, void a draft, and (the
// operator view) void the official contract with a ticket. Every step
// asserts what the page shows. Screenshots of the main pages go to
// docs/console/*.png.
//
// The preview and download steps call the contract document routes
// (`.../contracts/{no}/preview.pdf`, `.../document.pdf`): the test
// asserts the request is made and its answer handled (a PDF shown or
// saved, or the API's error shown in words when the routes are absent).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(ROOT, 'docs', 'console');
const CUSTOMER = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function binary() {
  if (process.env.ORDER_LEDGER_BIN) return process.env.ORDER_LEDGER_BIN;
  const dirs = [process.env.CARGO_TARGET_DIR, join(ROOT, 'target')].filter(Boolean);
  const found = dirs
    .flatMap((d) => ['release', 'debug'].map((p) => join(d, p, 'order-ledger')))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error('no order-ledger binary: run `cargo build` first (or set ORDER_LEDGER_BIN)');
  return found[0];
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const BIN = binary();
const DATA = mkdtempSync(join(tmpdir(), 'ledger-console-'));
const ol = (...args) =>
  execFileSync(BIN, ['--data-dir', DATA, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_BACKTRACE: '0' } });
const token = (...args) => JSON.parse(ol('keys', 'create', ...args, '--json')).token;

let server;
let downloads = 0;
let serverLog = '';
let browser;
let step = 'start';
const log = (s) => {
  step = s;
  console.log(`· ${s}`);
};

async function waitHealthy(base) {
  for (let i = 0; i < 200; i += 1) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not become healthy');
}

function placeOrder(call, id, amount) {
  const order = JSON.parse(readFileSync(join(ROOT, 'docs', 'examples', 'place-order.json'), 'utf8'));
  order.header.command_id = `console-place-${id}`;
  order.order_id = id;
  order.instance_ids = [`ecs-${id.toLowerCase()}`];
  order.line_items[0].line_item_id = `${id}-000001`;
  order.line_items[0].unit_price = amount;
  order.line_items[0].pricing = { list_price: amount, discounts: [], coupon_amount: '0' };
  order.amount_due = amount;
  call('PlaceOrder', order);
}

async function main() {
  log(`binary ${BIN}, data ${DATA}`);
  ol('demo-data');
  const customerToken = token('--role', 'customer', '--customer', CUSTOMER);
  const operatorToken = token('--role', 'operator');
  const serviceToken = token('--role', 'service');
  const [http, grpc] = [await freePort(), await freePort()];
  server = spawn(BIN, ['--data-dir', DATA, 'serve', '--http-listen', `127.0.0.1:${http}`, '--grpc-listen', `127.0.0.1:${grpc}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr.on('data', (d) => {
    serverLog += d;
  });
  const base = `http://127.0.0.1:${http}`;
  await waitHealthy(base);
  const call = (rpc, req) => ol('call', '--server', `http://127.0.0.1:${grpc}`, '--token', serviceToken, rpc, JSON.stringify(req));
  call('CreditAccount', { header: { command_id: 'console-credit' }, top_up_id: 'TOP-CONSOLE-1', customer_id: CUSTOMER, amount: '500.00', currency: 'USD' });
  call('IssueCoupon', {
    header: { command_id: 'console-coupon' }, coupon_id: 'CP-CONSOLE-1', customer_id: CUSTOMER, kind: 301, face_value: '5.00', currency: 'USD',
    valid_from: '2020-01-01T00:00:00Z', valid_until: '2099-12-31T00:00:00Z',
  });
  placeOrder(call, 'CS24CONS0001', '40.00');
  placeOrder(call, 'CS24CONS0002', '12.50');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  const notice = page.locator('#notice');
  const alert = page.locator('#alert');
  const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  mkdirSync(SHOTS, { recursive: true });

  log('the console loads without credentials, with its CSP');
  const res = await page.goto(`${base}/console/`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot('sign-in');

  log('a wrong token is refused in words');
  await page.getByLabel('Token').fill('olt_not-a-real-token');
  await page.getByLabel('Customer (domain) id').fill(CUSTOMER);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await alert.filter({ hasText: 'The token was not accepted' }).waitFor();

  log('sign in as the customer');
  await page.getByLabel('Token').fill(customerToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await notice.filter({ hasText: `Signed in as ${CUSTOMER}` }).waitFor();
  await page.getByRole('heading', { name: 'Orders' }).waitFor();
  await page.getByRole('link', { name: 'CS24CONS0001', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).some((k) => k.includes('session'))), true);
  assert.match(await page.locator('caption').first().textContent(), /Asia\/Shanghai/);
  await shot('orders');

  log('filter orders: unpaid only');
  await page.getByLabel('Status').selectOption('unpaid');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL(/status=unpaid/);
  // The filtered table replaces the unfiltered one: wait until every row
  // shown is unpaid (the unfiltered table also lists CS24CONS0002).
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('tbody td[data-label="Status"]')];
    return cells.length >= 2 && cells.every((c) => c.textContent === 'Unpaid');
  });
  await page.getByRole('link', { name: 'CS24CONS0002', exact: true }).waitFor();
  const statuses = await page.locator('tbody td[data-label="Status"]').allTextContents();
  assert.ok(statuses.length >= 2 && statuses.every((s) => s === 'Unpaid'), `statuses ${statuses}`);

  log('precise search by order id; a malformed id is refused in words');
  await page.getByLabel('Order or instance ID').fill('CS24CONS0001');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL(/search=CS24CONS0001/);
  await page.locator('caption', { hasText: 'all time, order CS24CONS0001' }).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 1);
  await page.getByLabel('Order or instance ID').fill('not an id!');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await alert.filter({ hasText: /order_id/ }).waitFor();
  assert.match(await alert.textContent(), /\((CBC\.\d+|HTTP 4\d\d)/);
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('link', { name: 'CS24CONS0001', exact: true }).waitFor();

  log('pay CS24CONS0001 from the balance');
  await page.getByRole('button', { name: 'Pay CS24CONS0001' }).click();
  const dlg = page.locator('dialog');
  await dlg.getByText('Pay 40.00').waitFor();
  await dlg.getByRole('button', { name: 'Pay' }).click();
  await notice.filter({ hasText: 'Order CS24CONS0001 paid.' }).waitFor();
  const paidRow = page.locator('tbody tr', { has: page.getByRole('link', { name: 'CS24CONS0001', exact: true }) });
  await paidRow.locator('td[data-label="Status"]', { hasText: 'Paid' }).waitFor();
  assert.equal(await paidRow.getByRole('button', { name: /Pay|Cancel/ }).count(), 0);

  log('cancel CS24CONS0002');
  await page.getByRole('button', { name: 'Cancel CS24CONS0002' }).click();
  await dlg.getByRole('button', { name: 'Cancel order' }).click();
  await notice.filter({ hasText: 'Order CS24CONS0002 cancelled.' }).waitFor();
  const cancelledRow = page.locator('tbody tr', { has: page.getByRole('link', { name: 'CS24CONS0002', exact: true }) });
  await cancelledRow.locator('td[data-label="Status"]', { hasText: 'Cancelled' }).waitFor();

  log('download the order list as CSV');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const csvPath = join(DATA, 'orders.csv');
  await csv.saveAs(csvPath);
  assert.match(readFileSync(csvPath, 'utf8'), /CS24CONS0001/);

  log('order details: line items and deductions');
  await page.getByRole('link', { name: 'Details of CS24CONS0001' }).click();
  await page.getByRole('heading', { name: /Order CS24CONS0001/ }).waitFor();
  await page.getByText('s6.large.2 | 2 vCPUs | 4 GiB').waitFor();
  await page.locator('dd', { hasText: '40.00 USD' }).first().waitFor();
  await page.getByRole('heading', { name: 'Deductions' }).waitFor();
  await shot('order-details');

  log('apply for an order contract with the paid order');
  await page.getByRole('link', { name: 'Contracts', exact: true }).click();
  await page.getByRole('heading', { name: 'Contracts' }).waitFor();
  await page.getByRole('link', { name: 'Apply for contract' }).click();
  await page.getByRole('button', { name: 'Order contract' }).click();
  await page.getByText('Step 2 of 3').waitFor();
  await page.getByLabel('Select CS24CONS0001').check();
  await page.getByText('1 of at most 200 orders selected.').waitFor();
  await shot('apply');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText('Step 3 of 3').waitFor();
  await page.getByLabel('Contact name').fill('Zhang San');
  await page.getByLabel('Remarks').fill('console test contract');
  await page.getByRole('button', { name: 'Generate draft contract' }).click();
  await notice.filter({ hasText: /Draft contract \S+ was generated/ }).waitFor();
  const contractNo = (await notice.textContent()).match(/Draft contract (\S+) was generated/)[1];
  const row = page.locator('tbody tr', { hasText: contractNo });
  await row.locator('td[data-label="Status"]', { hasText: 'Draft' }).waitFor();
  await row.getByText('console test contract').waitFor();
  await shot('contracts');

  log(`preview ${contractNo}`);
  const [preview] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/contracts/${contractNo}/preview.pdf`)),
    row.getByRole('button', { name: contractNo, exact: true }).click(),
  ]);
  assert.equal(preview.status(), 200, 'the preview route answers');
  assert.equal(preview.headers()['content-type'], 'application/pdf');
  assert.ok(Number(preview.headers()['content-length']) > 1000, 'a preview PDF is sent');
  await page.locator('iframe.preview').waitFor();
  await notice.filter({ hasText: `Showing the preview of contract ${contractNo}` }).waitFor();

  log(`download the draft ${contractNo}`);
  const draftFile = await downloadPdf(row.getByRole('button', { name: `Download ${contractNo}` }), contractNo);
  await notice.filter({ hasText: `Contract ${contractNo} was downloaded.` }).waitFor();

  log(`convert ${contractNo} to official`);
  await row.getByRole('button', { name: `Convert to official ${contractNo}` }).click();
  await dlg.getByRole('button', { name: 'Convert' }).click();
  await notice.filter({ hasText: `Contract ${contractNo} is now an official contract.` }).waitFor();
  await row.locator('td[data-label="Status"]', { hasText: 'Active official' }).waitFor();
  await row.getByText('To void, submit a ticket.').waitFor();

  log(`download the sealed official ${contractNo}: other bytes than the draft, hash as recorded`);
  const officialFile = await downloadPdf(row.getByRole('button', { name: `Download ${contractNo}` }), contractNo);
  assert.notEqual(officialFile.sha256, draftFile.sha256, 'the official copy is not the draft');
  assert.match(officialFile.recorded, /^[0-9a-f]{64}$/, 'the ledger names the recorded hash');

  log('void the demo draft HT-DEMO-0004');
  const draft = page.locator('tbody tr', { hasText: 'HT-DEMO-0004' });
  await draft.getByRole('button', { name: 'Void HT-DEMO-0004' }).click();
  await dlg.getByRole('button', { name: 'Void' }).click();
  await notice.filter({ hasText: 'Contract HT-DEMO-0004 was voided.' }).waitFor();
  await draft.locator('td[data-label="Status"]', { hasText: 'Voided' }).waitFor();
  assert.equal(await draft.getByRole('button', { name: /Download/ }).count(), 0, 'a voided contract has no download');
  const [voidedPreview] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/contracts/HT-DEMO-0004/preview.pdf')),
    draft.getByRole('button', { name: 'HT-DEMO-0004', exact: true }).click(),
  ]);
  assert.equal(voidedPreview.status(), 200, 'a voided contract still previews (its status printed across it)');
  await notice.filter({ hasText: 'Showing the preview of contract HT-DEMO-0004' }).waitFor();

  log('account: balance and coupons');
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('heading', { name: 'Balance' }).waitFor();
  const balance = await page.locator('.balance').first().textContent();
  assert.match(balance, /^460(\.00)? USD$/, balance);
  await page.getByText('CP-CONSOLE-1').waitFor();
  await shot('account');

  log('the time zone selector shows times in another zone');
  await page.getByLabel('Time zone').selectOption('UTC');
  await page.getByText('UTC (UTC)').first().waitFor();
  await page.getByLabel('Time zone').selectOption('Asia/Shanghai');

  log('phone width');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByRole('link', { name: 'CS24CONS0001', exact: true }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at phone width`);
  await shot('orders-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  log('keyboard: the skip link and the nav are reachable with Tab');
  await page.reload();
  await page.getByRole('link', { name: 'CS24CONS0001', exact: true }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Orders');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Contracts' }).waitFor();

  log('operator view: void the official contract with a ticket');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Token').fill(operatorToken);
  await page.getByLabel('Customer (domain) id').fill(CUSTOMER);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await notice.filter({ hasText: `operator view for ${CUSTOMER}` }).waitFor();
  await page.getByText(`Operator view · ${CUSTOMER}`).waitFor();
  await page.getByRole('link', { name: 'Contracts', exact: true }).click();
  const official = page.locator('tbody tr', { hasText: contractNo });
  await official.getByRole('button', { name: `Void by ticket ${contractNo}` }).click();
  await dlg.getByLabel('Ticket ID').fill('TK-CONSOLE-1');
  await dlg.getByLabel('Reason').fill('customer request');
  await dlg.getByRole('button', { name: 'Void' }).click();
  await notice.filter({ hasText: `Contract ${contractNo} was voided (ticket TK-CONSOLE-1).` }).waitFor();
  await official.locator('td[data-label="Status"]', { hasText: 'Voided' }).waitFor();

  log('operator view: void a paid order');
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByRole('button', { name: 'Void CS24CONS0001' }).click();
  await dlg.getByLabel('Reason').fill('provisioning failed');
  await dlg.getByRole('button', { name: 'Void order' }).click();
  const voided = page.locator('tbody tr', { has: page.getByRole('link', { name: 'CS24CONS0001', exact: true }) });
  await notice.filter({ hasText: 'Order CS24CONS0001 voided.' }).waitFor();
  await voided.locator('td[data-label="Status"]', { hasText: 'Voided' }).waitFor();
  assert.equal(await alert.isVisible(), false, 'no error shown');

  log('stop the server; `order-ledger contract verify` accepts the downloaded official copy, refuses a tampered one');
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  server = null;
  const verified = ol('contract', 'verify', officialFile.path);
  assert.match(verified, new RegExp(`^ok: .* is the official contract ${contractNo} sealed at log position \\d+ \\(sha256 ${officialFile.recorded},`), verified);
  const tampered = readFileSync(officialFile.path);
  // One byte in the middle of the file, as a hand editing a copy would.
  tampered[tampered.length >> 1] ^= 0x01;
  const bad = join(DATA, 'tampered.pdf');
  writeFileSync(bad, tampered);
  let refused;
  try {
    ol('contract', 'verify', bad);
  } catch (e) {
    refused = e;
  }
  assert.ok(refused, 'a tampered copy does not verify');
  assert.equal(refused.status, 3, `exit 3 for a tampered copy: ${refused.stderr}`);
  assert.match(refused.stderr, /not verified/);
  assert.throws(() => ol('contract', 'verify', draftFile.path), (e) => e.status === 3, 'a draft does not verify as official');

  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  console.log('console browser test: ok');
}

try {
  await main();
} catch (e) {
  console.error(`console browser test failed at "${step}":`, e);
  console.error(`server log (last 4000 characters):\n${serverLog.slice(-4000)}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(DATA, { recursive: true, force: true });
}

/** Clicks a Download button and checks the saved file: a PDF named after
 * the contract, the bytes the route sent. Returns the file's SHA-256 and
 * the hash the ledger names in `X-Document-Sha256`. */
async function downloadPdf(button, contractNo) {
  const page = button.page();
  const [download, response] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForResponse((r) => r.url().endsWith(`/contracts/${contractNo}/document.pdf`)),
    button.click(),
  ]);
  assert.equal(response.status(), 200, 'the document route answers');
  assert.equal(download.suggestedFilename(), `${contractNo}.pdf`);
  const path = join(DATA, `${contractNo}-${downloads++}.pdf`);
  await download.saveAs(path);
  const bytes = await readFile(path);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.equal(bytes.length, Number(response.headers()['content-length']), 'the saved file is the file the route sent');
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), recorded: response.headers()['x-document-sha256'] };
}
