// dnn serve's page: three views (Train, Predict, Inspect) over the server's JSON API.
// Plain JavaScript and canvas drawing; everything comes from this server.
"use strict";

const $ = (id) => document.getElementById(id);

// Colours of the classes: regions (light) and points (dark), as `dnn planar --plot` draws them.
const REGIONS = [[250, 190, 175], [180, 205, 245], [200, 230, 180], [245, 225, 160], [220, 195, 240]];
const POINTS = ["#c81e23", "#2350be", "#3a8a2e", "#b8860b", "#7b3fb5"];

// The largest upload the server takes (UPLOAD_LIMIT in serve/predict.rs).
const UPLOAD_LIMIT = 20 * 1024 * 1024;

const page = {
  datasets: [],
  costs: [],          // [iteration, cost] of the run shown
  total: 0,
  perEpoch: false,
  boundary: null,     // the last boundary of the run shown
  events: null,       // the open EventSource
  drawPending: false,
  inspectCalls: 0,    // inspect() calls so far: an answer to an older one is dropped
};

// ---------- helpers ----------

async function api(path, options = {}) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const text = (await response.text()).trim();
    throw new Error(text || `${response.status} ${response.statusText}`);
  }
  return response.json();
}

function setStatus(text, isError = false) {
  const status = $("train-status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function percent(x) {
  return (100 * x).toFixed(2) + " %";
}

function bytesOf(base64) {
  const raw = atob(base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

// ---------- views ----------

function show(view) {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.setAttribute("aria-selected", String(tab.dataset.view === view));
  }
  for (const name of ["train", "predict", "inspect"]) {
    $("view-" + name).hidden = name !== view;
  }
  if (view === "predict" || view === "inspect") refreshModels();
}

// ---------- Train ----------

function currentDataset() {
  return page.datasets.find((d) => d.id === $("dataset").value);
}

function fillForm(setup) {
  $("layers").value = setup.layers.join(",");
  $("hidden").value = setup.hidden;
  $("output").value = setup.output;
  $("init").value = setup.init;
  $("seed").value = setup.seed;
  $("optimizer").value = setup.optimizer;
  $("learning-rate").value = String(setup.learning_rate);
  $("batch-size").value = setup.batch_size == null ? "" : setup.batch_size;
  $("iterations").value = setup.iterations;
  updateIterationsLabel();
}

function updateIterationsLabel() {
  $("iterations-label").textContent = $("batch-size").value ? "Epochs" : "Iterations";
}

function updateButtons() {
  const d = currentDataset();
  $("start").disabled = !d || !d.available || page.events !== null;
  $("stop").disabled = page.events === null;
}

function datasetChosen() {
  const d = currentDataset();
  if (!d) return;
  $("dataset-description").textContent = d.available ? d.description : d.problem;
  updateButtons();
  if (d.available) fillForm(d.preset);
  const points = d.input && d.input.kind === "points";
  $("boundary-figure").hidden = !points;
  if (page.events === null) {
    page.boundary = null;
    drawBoundary();
  }
}

function formSetup() {
  const batch = $("batch-size").value.trim();
  return {
    dataset: $("dataset").value,
    layers: $("layers").value.split(",").map((s) => Number(s.trim())),
    hidden: $("hidden").value,
    output: $("output").value,
    init: $("init").value,
    seed: Number($("seed").value),
    optimizer: $("optimizer").value,
    learning_rate: Number($("learning-rate").value),
    batch_size: batch === "" ? null : Number(batch),
    iterations: Number($("iterations").value),
  };
}

async function start(event) {
  event.preventDefault();
  setStatus("Starting…");
  try {
    const run = await api("/api/train", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(formSetup()),
    });
    follow(run);
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function stop() {
  try {
    await api("/api/train/stop", { method: "POST" });
    setStatus("Stopping after the current iteration…");
  } catch (e) {
    setStatus(e.message, true);
  }
}

// Shows a run from its first iteration, live.
function follow(run) {
  if (page.events) page.events.close();
  page.costs = [];
  page.total = run.setup.iterations;
  page.perEpoch = run.per_epoch;
  page.boundary = null;
  page.shownDataset = run.setup.dataset;
  $("results").hidden = true;
  $("cost").dataset.points = "0";
  $("cost-caption").textContent = run.per_epoch ? "Cost per epoch" : "Cost per iteration";
  const d = page.datasets.find((x) => x.id === run.setup.dataset);
  $("boundary-figure").hidden = !(d && d.input && d.input.kind === "points");
  setStatus(`Training on ${run.setup.dataset}…`);
  const events = new EventSource("/api/train/events");
  page.events = events;
  updateButtons();
  events.addEventListener("update", (e) => update(JSON.parse(e.data), run.setup.dataset));
  events.onerror = () => {
    // The stream ends after the outcome; anything else is the server going away.
    if (page.events === events) {
      events.close();
      page.events = null;
      updateButtons();
      setStatus("Lost the connection to the server.", true);
    }
  };
  scheduleDraw();
}

function update(u, dataset) {
  for (const p of u.points) page.costs.push(p);
  if (u.boundary) page.boundary = u.boundary;
  $("cost").dataset.points = String(page.costs.length);
  const last = page.costs[page.costs.length - 1];
  if (last && !u.done) {
    const unit = u.per_epoch ? "epoch" : "iteration";
    setStatus(`Training on ${dataset}: ${unit} ${last[0] + 1} of ${u.total}, cost ${last[1].toFixed(6)}`);
  }
  if (u.done) finished(u.done);
  scheduleDraw();
}

function finished(outcome) {
  page.events.close();
  page.events = null;
  updateButtons();
  refreshModels();
  if (outcome.error) {
    setStatus(outcome.error, true);
    return;
  }
  const unit = page.perEpoch ? "epochs" : "iterations";
  setStatus(
    (outcome.stopped ? `Stopped after ${outcome.iterations_run} of ${page.total} ${unit}` : `Done: ${outcome.iterations_run} ${unit}`) +
      ` in ${outcome.train_seconds.toFixed(2)} s, final cost ${outcome.final_cost.toFixed(6)}.`
  );
  $("train-accuracy").textContent = percent(outcome.train_accuracy);
  $("test-accuracy").textContent = percent(outcome.test_accuracy);
  $("results-note").textContent = "The model is now in the Predict and Inspect views.";
  $("download").hidden = !outcome.model;
  $("results").hidden = false;
}

function scheduleDraw() {
  if (page.drawPending) return;
  page.drawPending = true;
  requestAnimationFrame(() => {
    page.drawPending = false;
    drawCost();
    drawBoundary();
  });
}

// The cost curve: iterations along x, cost along y from 0; one vertical stroke per pixel
// column (its smallest and largest cost), so a million points draw as fast as a hundred.
function drawCost() {
  const canvas = $("cost");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  const left = 56, right = 28, top = 14, bottom = 40;
  g.clearRect(0, 0, w, h);
  g.font = "12px system-ui, sans-serif";
  g.fillStyle = "#5b6475";
  g.strokeStyle = "#d6dae2";
  const costs = page.costs;
  const xTicks = ticks(Math.max(page.total, 1));
  const xMax = xTicks[xTicks.length - 1];
  let yMax = 0;
  for (const [, c] of costs) if (Number.isFinite(c) && c > yMax) yMax = c;
  const yTicks = ticks(yMax > 0 ? yMax : 1);
  yMax = yTicks[yTicks.length - 1];
  const px = (it) => left + (it / xMax) * (w - left - right);
  const py = (c) => top + (1 - c / yMax) * (h - top - bottom);
  // Axes, grid lines and ticks.
  g.beginPath();
  for (const c of yTicks) { g.moveTo(left, py(c)); g.lineTo(w - right, py(c)); }
  g.stroke();
  g.strokeStyle = "#8a93a3";
  g.beginPath();
  g.moveTo(left, top);
  g.lineTo(left, h - bottom);
  g.lineTo(w - right, h - bottom);
  g.stroke();
  const decimals = Math.max(0, -Math.floor(Math.log10(yTicks[1] - yTicks[0]) + 1e-9));
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const c of yTicks) g.fillText(c.toFixed(decimals), left - 6, py(c));
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const it of xTicks) g.fillText(it.toLocaleString("en"), px(it), h - bottom + 6);
  g.fillText(page.perEpoch ? "epoch" : "iteration", (left + w - right) / 2, h - 18);
  if (costs.length === 0) return;
  g.strokeStyle = "#2a5bd7";
  g.lineWidth = 1.5;
  g.beginPath();
  let column = -1, lo = 0, hi = 0, first = true;
  const flush = () => {
    if (column < 0) return;
    if (first) { g.moveTo(column, py(hi)); first = false; } else { g.lineTo(column, py(hi)); }
    g.lineTo(column, py(lo));
  };
  for (const [it, c] of costs) {
    if (!Number.isFinite(c)) continue;
    const x = Math.round(px(it));
    if (x !== column) {
      flush();
      column = x; lo = c; hi = c;
    } else {
      lo = Math.min(lo, c); hi = Math.max(hi, c);
    }
  }
  flush();
  g.stroke();
}

// Four to six round ticks from 0 to at least `max`.
function ticks(max) {
  const raw = max / 4;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s * 5 >= max) || 10 * p;
  const out = [];
  for (let k = 0; k * step < max + step * 1e-9; k++) out.push(k * step);
  if (out[out.length - 1] < max - step * 1e-9) out.push(out.length * step);
  if (out.length < 2) out.push(step);
  return out.map((v) => Number(v.toPrecision(12)));
}

// The decision boundary: each grid cell in its class's colour, paler where the network
// is unsure, and the training points on top.
function drawBoundary() {
  const canvas = $("boundary");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  const b = page.boundary;
  const id = b ? page.shownDataset : $("dataset").value;
  const d = page.datasets.find((x) => x.id === id);
  let xr, yr;
  if (b) {
    xr = b.x_range; yr = b.y_range;
    const classes = bytesOf(b.classes), confidence = bytesOf(b.confidence);
    const image = new ImageData(b.nx, b.ny);
    for (let j = 0; j < b.ny; j++) {
      for (let i = 0; i < b.nx; i++) {
        const k = j * b.nx + i;                  // row j counts from the bottom
        const o = ((b.ny - 1 - j) * b.nx + i) * 4; // the image's rows from the top
        const colour = REGIONS[classes[k] % REGIONS.length];
        const strength = Math.max(0, (confidence[k] / 255 - 0.5) * 2) * 0.6 + 0.4;
        for (let c = 0; c < 3; c++) image.data[o + c] = Math.round(255 - (255 - colour[c]) * strength);
        image.data[o + 3] = 255;
      }
    }
    const cells = document.createElement("canvas");
    cells.width = b.nx; cells.height = b.ny;
    cells.getContext("2d").putImageData(image, 0, 0);
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = "high";
    g.drawImage(cells, 0, 0, w, h);
  }
  if (!d || !d.points) return;
  if (!xr) {
    xr = [Infinity, -Infinity]; yr = [Infinity, -Infinity];
    for (const [x, y] of d.points) {
      xr = [Math.min(xr[0], x - 1), Math.max(xr[1], x + 1)];
      yr = [Math.min(yr[0], y - 1), Math.max(yr[1], y + 1)];
    }
  }
  for (const [x, y, c] of d.points) {
    const cx = ((x - xr[0]) / (xr[1] - xr[0])) * w;
    const cy = (1 - (y - yr[0]) / (yr[1] - yr[0])) * h;
    g.beginPath();
    g.arc(cx, cy, 3, 0, 2 * Math.PI);
    g.fillStyle = POINTS[c % POINTS.length];
    g.fill();
    g.strokeStyle = "#111";
    g.lineWidth = 0.6;
    g.stroke();
  }
}

// ---------- Models (Predict and Inspect) ----------

async function refreshModels() {
  let models;
  try {
    models = await api("/api/models");
  } catch (e) {
    $("predict-hint").textContent = e.message;
    return;
  }
  const wanted = ["trained", "file"]
    .filter((slot) => models[slot])
    .map((slot) => {
      const m = models[slot];
      const label = `${slot === "file" ? "File" : "Trained"}: ${m.name} (${m.layer_sizes.join("-")})`;
      return { slot, label, kind: m.input.kind };
    });
  for (const id of ["predict-model", "inspect-model"]) {
    const select = $(id);
    // The options are rebuilt only when the models changed: an open list stays open, and a
    // choice being made (by a person or a WebDriver click) is not pulled from under it.
    const unchanged = select.options.length === wanted.length
      && wanted.every((w, i) => {
        const o = select.options[i];
        return o.value === w.slot && o.textContent === w.label && o.dataset.kind === w.kind;
      });
    if (unchanged) continue;
    const before = select.value;
    select.replaceChildren();
    for (const w of wanted) {
      const option = element("option", w.label);
      option.value = w.slot;
      option.dataset.kind = w.kind;
      select.append(option);
    }
    if ([...select.options].some((o) => o.value === before)) select.value = before;
  }
  page.models = models;
  describePredictModel();
  if (!$("view-inspect").hidden) inspect();
}

function describeInput(input) {
  if (input.kind === "picture") {
    const colours = { 1: "grey", 3: "RGB", 4: "RGBA" }[input.channels] || `${input.channels}-channel`;
    return `${input.width}×${input.height} ${colours} pictures`;
  }
  return input.kind === "points" ? "points of the plane (2 numbers)" : `rows of ${input.features} numbers`;
}

function describePredictModel() {
  const m = page.models && page.models[$("predict-model").value];
  const hint = $("predict-hint");
  if (!m) {
    hint.textContent = "No model yet: train one in the Train view, or start dnn serve with --model MODEL.h5.";
    return;
  }
  const columns = m.columns.length > 0
    ? `with the columns ${m.columns.join(", ")} (by name, in any order; other columns are ignored)`
    : `whose ${m.layer_sizes[0]} columns are the inputs, in order`;
  hint.textContent = m.input.kind === "picture"
    ? `This model takes ${describeInput(m.input)} (JPEG or PNG, any size: they are resized as the network needs).`
    : `This model takes a CSV table: a header row, then one example per row, ${columns}.` +
      (m.standardized ? " The model standardises them as its file records." : "");
}

async function predictFiles(files) {
  const list = $("predictions");
  const model = $("predict-model").value;
  for (const file of files) {
    const item = element("li");
    item.append(element("div", file.name, "name"));
    list.prepend(item);
    if (file.size > UPLOAD_LIMIT) {
      item.append(element("div", `larger than ${UPLOAD_LIMIT >> 20} MiB: the server takes files up to that size`, "error"));
      continue;
    }
    try {
      const query = model ? `?model=${encodeURIComponent(model)}` : "";
      const answer = await api("/api/predict" + query, { method: "POST", body: file });
      showVerdicts(item, answer);
    } catch (e) {
      item.append(element("div", e.message, "error"));
    }
  }
}

function showVerdicts(item, answer) {
  const results = answer.results;
  if (results.length === 1 && results[0].seen) {
    const r = results[0];
    const img = element("img", undefined, "seen");
    img.src = r.seen;
    img.alt = "the picture as the network saw it";
    img.title = "what the network saw";
    item.append(img);
    item.append(element("div", r.class, "class"));
    item.append(element("div", `probability ${percent(r.probability)}`, "probability"));
    return;
  }
  const table = element("table");
  const head = element("tr");
  for (const t of ["row", "class", "probability"]) head.append(element("th", t));
  table.append(head);
  for (const r of results.slice(0, 500)) {
    const tr = element("tr");
    tr.append(element("td", String(r.row)), element("td", r.class, "class"), element("td", percent(r.probability), "probability"));
    table.append(tr);
  }
  item.append(table);
  if (results.length > 500) item.append(element("div", `… and ${results.length - 500} more rows`, "note"));
}

async function inspect() {
  // Calls can overlap (the list's change, a refresh of the models): only the latest one
  // draws, and it clears the view only once its answer is in, so nothing is drawn twice.
  const call = ++page.inspectCalls;
  const slot = $("inspect-model").value;
  let m = null, failure = null;
  if (slot) {
    try {
      m = await api(`/api/models/${slot}`);
    } catch (e) {
      failure = e.message;
    }
  }
  if (call !== page.inspectCalls) return;
  const body = $("model-table").tBodies[0];
  body.replaceChildren();
  $("units").replaceChildren();
  $("units-title").hidden = $("units-note").hidden = true;
  if (!m) {
    const tr = element("tr");
    tr.append(slot
      ? element("td", failure, "error")
      : element("td", "No model yet: train one in the Train view, or start dnn serve with --model MODEL.h5."));
    body.append(tr);
    return;
  }
  const s = m.setup;
  const rows = [
    ["Model", m.name],
    ["Layer sizes", m.layer_sizes.join(", ")],
    ["Activations", m.activations.join(", ")],
    ["Parameters", m.parameters.toLocaleString("en")],
    ["Element type", m.dtype],
    ["Classes", m.classes.join(", ")],
    ["Input", describeInput(m.input)],
    ["Columns", m.columns.length > 0 ? m.columns.join(", ") : null],
    ["Standardised inputs", m.standardized ? "yes (the z-score its file records)" : "no"],
    ["Initialisation", s.init], ["Seed", s.seed], ["Optimiser", s.optimizer],
    ["Learning rate", s.learning_rate], ["Batch size", s.batch_size == null ? (s.optimizer ? "full batch" : null) : s.batch_size],
    ["Iterations", s.iterations == null ? null : `${s.iterations_run ?? "?"} of ${s.iterations}`],
    ["Final cost", s.final_cost == null ? null : s.final_cost.toFixed(6)],
    ["L2 λ", s.l2], ["Keep probability", s.keep_prob],
  ];
  for (const [k, v] of rows) {
    if (k === "Columns" && v == null) continue;
    const tr = element("tr");
    tr.append(element("th", k), element("td", v == null ? "not recorded" : String(v)));
    body.append(tr);
  }
  if (m.units.length > 0) {
    $("units-title").hidden = $("units-note").hidden = false;
    $("units-title").textContent = `What each first-layer unit has learnt (${m.units.length} of ${m.first_layer_units})`;
    m.units.forEach((src, k) => {
      const f = element("figure");
      const img = element("img");
      img.src = src;
      img.alt = `unit ${k + 1}`;
      f.append(img, element("figcaption", `unit ${k + 1}`));
      $("units").append(f);
    });
  }
}

// ---------- start-up ----------

async function main() {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => show(tab.dataset.view));
  }
  $("train-form").addEventListener("submit", start);
  $("stop").addEventListener("click", stop);
  $("defaults").addEventListener("click", datasetChosen);
  $("dataset").addEventListener("change", datasetChosen);
  $("batch-size").addEventListener("input", updateIterationsLabel);
  $("predict-model").addEventListener("change", describePredictModel);
  $("inspect-model").addEventListener("change", inspect);
  $("predict-files").addEventListener("change", (e) => {
    predictFiles([...e.target.files]);
    e.target.value = "";
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    predictFiles([...e.dataTransfer.files]);
  });

  try {
    page.datasets = await api("/api/datasets");
  } catch (e) {
    setStatus(e.message, true);
    return;
  }
  const select = $("dataset");
  for (const d of page.datasets) {
    const option = element("option", d.available ? d.name : `${d.name} (not available)`);
    option.value = d.id;
    select.append(option);
  }
  const first = page.datasets.find((d) => d.available);
  if (first) select.value = first.id;
  datasetChosen();
  drawCost();
  const run = await api("/api/train").catch(() => null);
  if (run) {
    select.value = run.setup.dataset;
    datasetChosen();
    fillForm(run.setup);
    follow(run);
  }
  refreshModels();
}

main();
