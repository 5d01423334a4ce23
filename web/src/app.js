// The page's wiring: DOM events to SMP actions and view_model.js results back into the DOM. No
// logic worth testing lives here; see view_model.js.

import { BleTransport, DisconnectedError } from './ble_transport.js';
import { SmpClient } from './client.js';
import { parseImage } from './mcuboot_image.js';
import { requests } from './smp.js';
import { uploadImage } from './upload.js';
import {
  controls, errorText, imageFileSummary, imageRows, parsePieceSize, progressView, uploadRefusal,
} from './view_model.js';

const $ = (id) => document.getElementById(id);
const state = { transport: null, client: null, device: null, busy: false, file: null,
  fileBytes: null, rows: [], selected: null };

function say(text) {
  $('status').textContent = text;
}
function fail(error) {
  $('error').textContent = errorText(error);
}

function render() {
  const c = controls({ connected: Boolean(state.client), busy: state.busy, file: state.file,
    selected: state.selected });
  $('connect').disabled = !c.connect;
  $('connect').textContent = c.connectLabel;
  for (const id of ['upload', 'test', 'confirm', 'reset', 'refresh']) $(id).disabled = !c[id];
}

function renderImages() {
  const body = $('images-body');
  body.replaceChildren();
  if (state.rows.length === 0) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = 5;
    td.textContent = state.client ? 'The device reports no images.' : 'Connect to list the images.';
    return;
  }
  for (const [i, row] of state.rows.entries()) {
    const tr = body.insertRow();
    const radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'slot';
    radio.id = `slot-${i}`;
    radio.setAttribute('aria-label', `image ${row.image} slot ${row.slot}, version ${row.version}`);
    radio.checked = state.selected === row;
    radio.addEventListener('change', () => {
      state.selected = row;
      render();
    });
    tr.insertCell().append(radio);
    tr.insertCell().textContent = row.image ? `${row.image}/${row.slot}` : String(row.slot);
    tr.insertCell().textContent = row.version;
    const code = document.createElement('code');
    code.textContent = row.hashShort;
    tr.insertCell().append(code);
    tr.insertCell().textContent = row.flags;
  }
}

// Runs one device action with the controls disabled and errors shown.
async function run(what, action) {
  state.busy = true;
  $('error').textContent = '';
  say(`${what}…`);
  render();
  try {
    await action();
  } catch (e) {
    say('');
    fail(e);
    if (e instanceof DisconnectedError) dropConnection();
  } finally {
    state.busy = false;
    render();
  }
}

async function refreshImages() {
  state.rows = imageRows(await state.client.call(requests.imageState(), 'list images'));
  state.selected = state.rows.find((r) => !r.active && r.hash) ?? null;
  renderImages();
}

function dropConnection() {
  state.transport = null;
  state.client = null;
  $('device-name').textContent = state.device ? `${state.device.name ?? 'device'} (disconnected)`
    : 'Not connected';
}

async function connect() {
  const pieceSize = parsePieceSize($('piece-size').value);
  // A device chosen before is reconnected without asking again (resume after a disconnect).
  state.transport = state.device
    ? await BleTransport.open(state.device, { pieceSize })
    : await BleTransport.connect(navigator.bluetooth, { pieceSize });
  state.device = state.transport.device;
  state.transport.onDisconnected(() => {
    dropConnection();
    render();
  });
  state.client = new SmpClient(state.transport);
  $('device-name').textContent = `Connected to ${state.transport.name}`;
  await refreshImages();
  say(`Connected to ${state.transport.name}.`);
}

async function chooseFile() {
  state.file = null;
  state.fileBytes = null;
  $('file-info').replaceChildren();
  $('error').textContent = '';
  const file = $('file').files[0];
  render();
  if (!file) return;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const info = await parseImage(bytes);
    for (const [label, value] of imageFileSummary(info)) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      $('file-info').append(dt, dd);
    }
    const refusal = uploadRefusal(info);
    if (refusal) {
      $('error').textContent = refusal;
    } else {
      state.file = info;
      state.fileBytes = bytes;
      say(`${file.name}: image ${info.smpVersion} ready to upload.`);
    }
  } catch (e) {
    fail(e);
  }
  render();
}

async function upload() {
  const onProgress = (p) => {
    const view = progressView(p);
    $('progress').max = view.max;
    $('progress').value = view.value;
    $('progress-text').textContent = view.text;
  };
  const stats = await uploadImage(state.client, state.fileBytes, { onProgress });
  await refreshImages();
  say(`Uploaded ${state.file.smpVersion} in ${stats.seconds.toFixed(1)} s. Select it and press Test.`);
}

function init() {
  if (!navigator.bluetooth) $('support').hidden = false;
  $('connect').addEventListener('click', () => {
    if (state.client) {
      state.transport.disconnect();
      dropConnection();
      state.device = null; // the next Connect lets the user choose again
      render();
      return;
    }
    run('Connecting', connect);
  });
  $('refresh').addEventListener('click', () => run('Reading images', async () => {
    await refreshImages();
    say('Image list updated.');
  }));
  $('file').addEventListener('change', chooseFile);
  $('upload').addEventListener('click', () => run('Uploading', upload));
  $('test').addEventListener('click', () => run('Marking for test', async () => {
    await state.client.call(requests.imageTest(state.selected.hash), 'test');
    await refreshImages();
    say('Marked for a test boot: press Reset to boot it, then Confirm to keep it.');
  }));
  $('confirm').addEventListener('click', () => run('Confirming', async () => {
    await state.client.call(requests.imageConfirm(state.selected.hash), 'confirm');
    await refreshImages();
    say('Image confirmed.');
  }));
  $('reset').addEventListener('click', () => run('Resetting', async () => {
    await state.client.call(requests.reset(), 'reset');
    say('The device is resetting: connect again when it is back.');
  }));
  render();
}

init();
