// dnn serve's page: three views (Train, Predict, Inspect) over the server's JSON API.
// Plain JavaScript and canvas drawing; everything comes from this server.
"use strict";

const $ = (id) => document.getElementById(id);

// Colours of the classes: regions (light) and points (dark), as `dnn planar --plot` draws them.
const REGIONS = [[250, 190, 175], [180, 205, 245], [200, 230, 180], [245, 225, 160], [220, 195, 240]];
const POINTS = ["#c81e23", "#2350be", "#3a8a2e", "#b8860b", "#7b3fb5"];

// The largest upload the server takes (UPLOAD_LIMIT in serve/predict.rs).
const UPLOAD_LIMIT = 20 * 1024 * 1024;
// The most iterations (or epochs) of one run (MAX_ITERATIONS in serve/training.rs).
const MAX_ITERATIONS = 1000000;
// The largest seed (a u32 on the server).
const MAX_SEED = 4294967295;
// The most layer sizes of a set-up, input and output included (MAX_LAYERS in serve/training.rs).
const MAX_LAYERS = 100;
// How often an idle page asks whether a run (of another tab or client) has ended, to list
// its model in Predict and Inspect.
const WATCH_EVERY_MS = 2000;
// The form's field of each set-up field the server names in a message.
const FIELD_IDS = {
  dataset: "dataset", layers: "layers", hidden: "hidden", output: "output", init: "init",
  seed: "seed", optimizer: "optimizer", learning_rate: "learning-rate", batch_size: "batch-size",
  iterations: "iterations", validation_split: "validation-split", early_stopping: "early-stopping",
  patience: "patience", min_delta: "min-delta", class_weight: "class-weight",
};
// Column names listed before "… and N more".
const NAMES_SHOWN = 8;
const DATE_ORDERS = { ymd: "year-month-day", dmy: "day/month/year", mdy: "month/day/year" };
// The identifier of the data set given with `--data` (serve/datasets.rs).
const USER_DATA = "data";
// Early stopping's defaults, `dnn train`'s (DEFAULT_VALIDATION_SPLIT and DEFAULT_PATIENCE in
// src/validation.rs; the server applies them to what the page leaves out).
const DEFAULT_VALIDATION_SPLIT = 0.1;
const DEFAULT_PATIENCE = 10;
// The cost chart's curves (the legend's keys in style.css have the same colours).
const TRAINING_COLOUR = "#2a5bd7";
const VALIDATION_COLOUR = "#d9730d";

const SERVER_GONE = "the server is not answering (was it stopped? start `dnn serve` again and reload)";

const page = {
  datasets: [],
  run: null,          // the run shown: { id, setup, perEpoch, elsewhere, outcome }
  costs: [],          // [iteration, cost] or [iteration, cost, validation cost] of the run shown
  total: 0,           // the x axis' extent: planned iterations, or those run once stopped
  perEpoch: false,
  boundary: null,     // the last boundary of the run shown
  events: null,       // the open EventSource
  starting: false,    // a start request is on its way
  preferTrained: false, // the next model list selects the model just trained
  drawPending: false,
  modelCalls: 0,      // refreshModels() calls so far: an answer to an older one is dropped
  lastRun: null,      // the id and end of the last run this page knows of ("3 running", "3 done")
  inspectCalls: 0,    // inspect() calls so far: an answer to an older one is dropped
};

// ---------- helpers ----------

// Whether the server answers at all.
async function serverAnswers() {
  try {
    await fetch("/api/train", { cache: "no-store" });
    return true;
  } catch (e) {
    return false;
  }
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    // A fetch that never got an answer: most often the server is gone.
    throw new Error((await serverAnswers()) ? `the request failed: ${e.message}` : SERVER_GONE);
  }
  if (!response.ok) {
    const text = (await response.text()).trim();
    const error = new Error(text || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function setStatus(text, isError = false) {
  const status = $("train-status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// A count as the axes print it: 54,177.
function count(n) {
  return Number(n).toLocaleString("en");
}

// Truncated to hundredths, never rounded up: 0.999999 is 99.99 %, only 1 is 100.00 %.
function percent(x) {
  const hundredths = Math.floor(x * 10000 + 1e-9);
  return (hundredths / 100).toFixed(2) + " %";
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

// Column names: the first few, "… and N more", and all of them behind a <details>.
function namesList(names) {
  const out = document.createDocumentFragment();
  if (names.length <= NAMES_SHOWN + 2) {
    out.append(names.join(", "));
    return out;
  }
  out.append(`${names.slice(0, NAMES_SHOWN).join(", ")}, … and ${count(names.length - NAMES_SHOWN)} more`);
  const details = element("details", undefined, "all-names");
  details.append(element("summary", `all ${count(names.length)} columns`), element("div", names.join(", "), "names"));
  out.append(details);
  return out;
}

function datasetName(id) {
  const d = page.datasets.find((x) => x.id === id);
  return d ? d.name : id;
}

// ---------- views ----------

const VIEWS = ["train", "predict", "inspect"];

function show(view) {
  for (const tab of document.querySelectorAll(".tab")) {
    const selected = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  for (const name of VIEWS) {
    $("view-" + name).hidden = name !== view;
  }
  if (view === "predict" || view === "inspect") refreshModels();
}

// The tab list's keys: arrows (and Home, End) move to the next view, as a tab list does.
function tabKey(event) {
  const tabs = [...document.querySelectorAll(".tab")];
  const k = tabs.indexOf(event.currentTarget);
  const next = {
    ArrowRight: (k + 1) % tabs.length,
    ArrowLeft: (k + tabs.length - 1) % tabs.length,
    Home: 0,
    End: tabs.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  show(tabs[next].dataset.view);
  tabs[next].focus();
}

// ---------- Train ----------

function currentDataset() {
  return page.datasets.find((d) => d.id === $("dataset").value);
}

// Whether data set `d` is a regression: a number to predict, not a class.
function regresses(d) {
  return !!d && d.task === "regress";
}

// The output layer the server takes for data set `d`: identity (one number) for a
// regression, sigmoid (one unit) for two classes, softmax (one unit per class) for more.
function outputFor(d) {
  if (regresses(d)) return "identity";
  return d && d.classes && d.classes.length > 2 ? "softmax" : "sigmoid";
}

// The form offers only that output layer: the others would be refused. Class weights are a
// classifier's, and the data set's uneven classes (if so) are pointed out beside them.
function offerOutputs(d) {
  const fits = outputFor(d);
  for (const option of $("output").options) {
    option.hidden = option.disabled = option.value !== fits;
  }
  $("class-weight-field").hidden = regresses(d);
  $("uneven-note").hidden = !(d && d.uneven);
  $("uneven-note").textContent = (d && d.uneven) || "";
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
  $("validation-split").value = setup.validation_split == null ? "" : String(setup.validation_split);
  $("early-stopping").checked = !!setup.early_stopping;
  $("patience").value = setup.patience == null ? DEFAULT_PATIENCE : setup.patience;
  $("min-delta").value = setup.min_delta == null ? "0" : String(setup.min_delta);
  $("class-weight").value = setup.class_weight == null ? "" : setup.class_weight;
  for (const input of document.querySelectorAll("#train-form [aria-invalid]")) input.removeAttribute("aria-invalid");
  updateIterationsLabel();
  updateValidationFields();
}

// Patience and min delta are early stopping's: offered only when it is ticked, and the split
// it takes when none is given shown in the split's field.
function updateValidationFields() {
  const early = $("early-stopping").checked;
  $("patience").disabled = $("min-delta").disabled = !early;
  $("validation-split").placeholder = early ? String(DEFAULT_VALIDATION_SPLIT) : "none";
}

function updateIterationsLabel() {
  $("iterations-label").textContent = $("batch-size").value ? "Epochs" : "Iterations";
}

function updateButtons() {
  const d = currentDataset();
  $("start").disabled = !d || !d.available || page.events !== null || page.starting;
  $("stop").disabled = page.events === null;
}

function datasetChosen() {
  const d = currentDataset();
  if (!d) return;
  $("dataset-description").textContent = d.available ? d.description : d.problem;
  offerOutputs(d);
  // Only the course's sets have a published set-up; the user's gets the page's suggestion.
  $("defaults").textContent = d.id === USER_DATA ? "Suggested set-up" : "Published set-up";
  updateButtons();
  if (d.available) fillForm(d.preset);
  // What the last run showed is for its data set: the status line goes with it.
  if (page.events === null && page.run && page.run.setup.dataset !== d.id) setStatus("");
  showRun();
}

// Whether the charts show the run (running, or the last one on the data set chosen); else
// they show the chosen data set, empty.
function runShown() {
  return page.run !== null && (page.events !== null || page.run.setup.dataset === $("dataset").value);
}

// The charts' and results' labels: which run, which data set, and whether it is the last
// run of another data set than the one chosen.
function showRun() {
  const r = page.run;
  const shown = runShown();
  const title = $("run-title");
  title.hidden = !shown;
  if (shown) {
    const name = datasetName(r.setup.dataset);
    const elsewhere = r.elsewhere ? " (started in another tab or client)" : "";
    title.textContent = page.events !== null ? `Running on ${name}${elsewhere}` : `Run ${r.id} on ${name}${elsewhere}`;
  }
  const id = shown ? r.setup.dataset : $("dataset").value;
  const d = page.datasets.find((x) => x.id === id);
  // A decision boundary is a classifier's: a regression of two columns has none.
  $("boundary-figure").hidden = !(d && d.input && d.input.kind === "points" && !regresses(d));
  $("cost-caption").textContent = (shown ? page.perEpoch : !!$("batch-size").value) ? "Cost per epoch" : "Cost per iteration";
  $("cost").dataset.points = String(shown ? page.costs.length : 0);
  const validationPoints = shown ? page.costs.filter((p) => p.length > 2).length : 0;
  $("cost").dataset.validationPoints = String(validationPoints);
  $("cost-legend").hidden = validationPoints === 0;
  const results = $("results");
  if (r && r.outcome && !r.outcome.error) {
    const other = r.setup.dataset !== $("dataset").value && page.events === null;
    $("results-title").textContent = `Last run: ${datasetName(r.setup.dataset)}` + (other ? " (not the data set chosen)" : "");
    results.classList.toggle("other", other);
    results.hidden = false;
  } else {
    results.hidden = true;
  }
  scheduleDraw();
}

// A plain decimal number as typed (0.01, 1e-3, .5), a decimal comma (0,01) read as a point;
// NaN for anything else.
function decimal(text) {
  const plain = /^\+?\d*,\d+$/.test(text) ? text.replace(",", ".") : text;
  return /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(plain) ? Number(plain) : NaN;
}

// The form's set-up, each number checked; or the first field that is wrong and what it takes.
function readSetup() {
  const problem = (id, message) => ({ problem: { id, message } });
  const whole = (text) => (/^\+?\d+$/.test(text) ? Number(text) : NaN);

  const layersText = $("layers").value.trim();
  const layers = layersText.split(",").map((s) => whole(s.trim()));
  if (layers.length < 2 || layers.some((n) => !(n >= 1))) {
    return problem("layers", `Layers: \`${layersText}\` is not a list of sizes; give whole numbers of at least 1 separated by commas, input first, e.g. 2,4,1.`);
  }
  if (layers.length > MAX_LAYERS) {
    return problem("layers", `Layers: ${count(layers.length)} sizes is too many; give at most ${MAX_LAYERS} (input and output included).`);
  }
  const seedInput = $("seed");
  const seed = whole(seedInput.value.trim());
  if (seedInput.validity.badInput || !(seed >= 0 && seed <= MAX_SEED)) {
    return problem("seed", `Seed: give a whole number from 0 to ${count(MAX_SEED)}.`);
  }
  // A decimal comma (0,01) is read as a decimal point; nothing else but a plain number is.
  const rateText = $("learning-rate").value.trim();
  const rate = decimal(rateText);
  if (!(Number.isFinite(rate) && rate > 0)) {
    const what = rateText === "" ? "is empty" : `\`${rateText}\` is not usable`;
    return problem("learning-rate", `Learning rate: ${what}; give a finite number greater than 0, e.g. 0.01 (a decimal comma is read as a point).`);
  }
  if (rateText.includes(",")) $("learning-rate").value = String(rate);
  const batchInput = $("batch-size");
  const batchText = batchInput.value.trim();
  const batch = batchText === "" ? null : whole(batchText);
  if (batchInput.validity.badInput || (batch !== null && !(batch >= 1 && batch <= Number.MAX_SAFE_INTEGER))) {
    return problem("batch-size", `Batch size: give a whole number from 1 to ${count(Number.MAX_SAFE_INTEGER)}, or leave it empty for full batch.`);
  }
  const iterationsInput = $("iterations");
  const iterations = whole(iterationsInput.value.trim());
  if (iterationsInput.validity.badInput || !(iterations >= 1 && iterations <= MAX_ITERATIONS)) {
    const what = batch === null ? "Iterations" : "Epochs";
    return problem("iterations", `${what}: give a whole number from 1 to ${count(MAX_ITERATIONS)}.`);
  }
  const splitText = $("validation-split").value.trim();
  const split = splitText === "" ? null : decimal(splitText);
  if (split !== null && !(split > 0 && split < 1)) {
    return problem("validation-split", `Validation split: \`${splitText}\` is not usable; give a fraction between 0 and 1, e.g. ${DEFAULT_VALIDATION_SPLIT}, or leave it empty for none.`);
  }
  if (split !== null && splitText.includes(",")) $("validation-split").value = String(split);
  const early = $("early-stopping").checked;
  let patience = null, minDelta = null;
  if (early) {
    const patienceInput = $("patience");
    patience = whole(patienceInput.value.trim());
    if (patienceInput.validity.badInput || !(patience >= 1 && patience <= MAX_ITERATIONS)) {
      const unit = batch === null ? "iterations" : "epochs";
      return problem("patience", `Patience: give a whole number from 1 to ${count(MAX_ITERATIONS)}: the ${unit} in a row without a fall in the validation cost that end training.`);
    }
    const deltaText = $("min-delta").value.trim();
    minDelta = deltaText === "" ? 0 : decimal(deltaText);
    if (!(Number.isFinite(minDelta) && minDelta >= 0)) {
      return problem("min-delta", `Min delta: \`${deltaText}\` is not usable; give a finite number of 0 or more, e.g. 0.001 (how much the validation cost must fall).`);
    }
    if (deltaText.includes(",")) $("min-delta").value = String(minDelta);
  }
  // The server checks the weights against the data set's classes, and names what is wrong.
  const weightText = $("class-weight").value.trim();
  const classWeight = weightText === "" || $("class-weight-field").hidden ? null : weightText;
  return {
    setup: {
      dataset: $("dataset").value,
      layers,
      hidden: $("hidden").value,
      output: $("output").value,
      init: $("init").value,
      seed,
      optimizer: $("optimizer").value,
      learning_rate: rate,
      batch_size: batch,
      iterations,
      validation_split: split,
      early_stopping: early,
      patience,
      min_delta: minDelta,
      class_weight: classWeight,
    },
  };
}

async function start(event) {
  event.preventDefault();
  if (page.starting || page.events !== null) return;
  for (const input of document.querySelectorAll("#train-form [aria-invalid]")) input.removeAttribute("aria-invalid");
  const { setup, problem } = readSetup();
  if (problem) {
    setStatus(problem.message, true);
    $(problem.id).setAttribute("aria-invalid", "true");
    $(problem.id).focus();
    return;
  }
  // Disabled at once: a double click sends one request.
  page.starting = true;
  updateButtons();
  setStatus("Starting…");
  try {
    const run = await api("/api/train", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(setup),
    });
    page.starting = false;
    follow(run, false);
  } catch (e) {
    page.starting = false;
    updateButtons();
    // Another tab (or client) is training: show its run here, so that Stop works.
    if (e.status === 409 && (await followRunning(true))) return;
    setStatus(e.message, true);
    // A set-up the server refused names its field first: mark it, as the page's own checks do.
    const named = /^(?:the training set-up: (?:missing field `)?)?([a-z_]+)/.exec(e.message);
    const id = named && FIELD_IDS[named[1]];
    if (e.status === 400 && id) {
      $(id).setAttribute("aria-invalid", "true");
      $(id).focus();
    }
  }
}

// Follows the server's running training, if there is one; whether it did.
async function followRunning(elsewhere) {
  const run = await api("/api/train").catch(() => null);
  if (!run || !run.running) return false;
  follow(run, elsewhere);
  return true;
}

async function stop() {
  // Said before the request: the outcome can arrive before the request's answer.
  $("stop").disabled = true;
  setStatus("Stopping after the current iteration…");
  try {
    await api("/api/train/stop", { method: "POST" });
  } catch (e) {
    // 409: it had ended already, and its outcome says how.
    if (e.status !== 409 || page.events !== null) setStatus(e.message, true);
    updateButtons();
  }
}

// Shows a run from its first iteration, live.
function follow(run, elsewhere) {
  if (page.events) page.events.close();
  page.run = { id: run.id, setup: run.setup, perEpoch: run.per_epoch, elsewhere, outcome: null, retries: 0 };
  page.costs = [];
  page.total = run.setup.iterations;
  page.perEpoch = run.per_epoch;
  page.boundary = null;
  setStatus(`Training on ${datasetName(run.setup.dataset)}${elsewhere ? " (started in another tab or client; Stop ends it)" : ""}…`);
  listen();
}

function listen() {
  const id = page.run.id;
  const events = new EventSource("/api/train/events");
  page.events = events;
  updateButtons();
  showRun();
  events.addEventListener("update", (e) => {
    if (page.events === events) update(JSON.parse(e.data));
  });
  // The stream ends after the outcome (closed by then); anything else is a broken stream
  // or the server going away.
  events.onerror = () => {
    if (page.events === events) streamBroke(events, id);
  };
}

async function streamBroke(events, id) {
  events.close();
  page.events = null;
  updateButtons();
  let run;
  try {
    run = await api("/api/train");
  } catch (e) {
    setStatus(e.message, true);
    showRun();
    return;
  }
  if (page.run === null || page.run.id !== id || page.events !== null) return;
  if (run && run.id === id && run.outcome) {
    // The outcome was missed: it is in the run's description too.
    finished(run.outcome);
  } else if (run && run.id === id && run.running && page.run.retries < 3) {
    page.run.retries += 1;
    page.costs = [];
    page.boundary = null;
    listen();
  } else {
    setStatus("Lost the training's event stream; reload the page to see the current run.", true);
    showRun();
  }
}

function update(u) {
  if (u.run !== page.run.id) {
    // The server has moved on to another run: show that one from its start.
    page.events.close();
    page.events = null;
    followRunning(true).then((followed) => {
      if (!followed) {
        updateButtons();
        showRun();
      }
    });
    return;
  }
  for (const p of u.points) page.costs.push(p);
  if (u.boundary) page.boundary = u.boundary;
  $("cost").dataset.points = String(page.costs.length);
  const last = page.costs[page.costs.length - 1];
  if (last && !u.done) {
    const unit = u.per_epoch ? "epoch" : "iteration";
    const elsewhere = page.run.elsewhere ? " (started in another tab or client)" : "";
    const validation = Number.isFinite(last[2]) ? `, validation ${last[2].toFixed(6)}` : "";
    setStatus(`Training on ${datasetName(page.run.setup.dataset)}${elsewhere}: ${unit} ${count(last[0] + 1)} of ${count(u.total)}, cost ${last[1].toFixed(6)}${validation}`);
  }
  if (u.done) finished(u.done);
  scheduleDraw();
}

function finished(outcome) {
  if (page.events) page.events.close();
  page.events = null;
  const r = page.run;
  r.outcome = outcome;
  const planned = r.setup.iterations;
  const v = outcome.validation;
  const early = !!(v && v.early_stopping && v.early_stopping.stopped_at != null);
  // A stopped run's axis ends where it stopped (by Stop, Ctrl-C or early stopping).
  if (outcome.stopped || early) page.total = Math.max(1, outcome.iterations_run);
  updateButtons();
  const unit = (n) => (page.perEpoch ? "epoch" : "iteration") + (n === 1 ? "" : "s");
  const name = datasetName(r.setup.dataset);
  page.lastRun = `${r.id} done`;
  if (outcome.error) {
    // A failed run keeps no model and takes none away: the last good run's stays offered.
    const kept = outcome.offered_run == null ? "" : ` Run ${outcome.offered_run}'s model is still the one in Predict and Inspect.`;
    setStatus(outcome.error + kept, true);
    refreshModels();
    showRun();
    return;
  }
  const usable = outcome.model && !outcome.interrupted;
  if (usable) page.preferTrained = true;
  refreshModels();
  const ran = outcome.stopped
    ? `Stopped after ${count(outcome.iterations_run)} of ${count(planned)} ${unit(planned)}`
    : early
      ? `Early stopping ended the run after ${count(outcome.iterations_run)} of ${count(planned)} ${unit(planned)}`
      : `Done: ${count(outcome.iterations_run)} ${unit(outcome.iterations_run)}`;
  // The cost of the model kept: with early stopping, that of the iteration whose parameters
  // were put back, not the last one run.
  let cost = "";
  if (outcome.kept_cost != null && outcome.kept_iterations !== outcome.iterations_run) {
    cost = `; the model kept is that of ${unit(1)} ${count(outcome.kept_iterations)}, cost ${outcome.kept_cost.toFixed(6)}`;
  } else if (outcome.kept_cost != null || outcome.final_cost != null) {
    cost = `, final cost ${(outcome.kept_cost ?? outcome.final_cost).toFixed(6)}`;
  }
  const summary = `${ran} in ${outcome.train_seconds.toFixed(2)} s${cost}.`;
  $("results-run").textContent = `Run ${r.id}: ${summary}`;
  $("train-accuracy").textContent = outcome.train_accuracy == null ? "–" : percent(outcome.train_accuracy);
  $("test-accuracy").textContent = outcome.test_accuracy == null ? "–" : percent(outcome.test_accuracy);
  // A regression has R², RMSE and MAE (in the target's units) instead, in `dnn train`'s lines.
  const scores = outcome.regression;
  $("train-accuracy-line").hidden = $("test-accuracy-line").hidden = !!scores;
  $("train-scores").hidden = $("test-scores").hidden = !scores;
  if (scores) {
    showScores($("train-scores"), scores.train_line);
    showScores($("test-scores"), scores.test_line);
  }
  // The validation part: its accuracy (or scores) by the model kept, how it was held out, and
  // what early stopping did, in `dnn train`'s words.
  $("validation-accuracy-line").hidden = !v || !!scores;
  $("validation-scores").hidden = !v || !scores;
  $("held-out-line").hidden = !v;
  $("stopping-line").hidden = !(v && v.stopping_line);
  if (v) {
    $("validation-accuracy").textContent = v.accuracy == null ? "–" : percent(v.accuracy);
    if (scores) showScores($("validation-scores"), v.line);
    $("held-out-line").textContent = v.held_out_line;
    $("stopping-line").textContent = v.stopping_line || "";
  }
  // Each part's balanced accuracy (with class weights, or classes far from even), the weights
  // and their warnings, in `dnn train`'s words.
  const w = outcome.class_weights, b = outcome.balanced_accuracy;
  $("balanced-line").hidden = !b;
  $("balanced-line").textContent = b ? b.line : "";
  $("class-weights-line").hidden = !w;
  $("class-weights-line").textContent = w ? w.line : "";
  const warnings = (w ? w.warnings : []).concat(b && b.warning != null ? [b.warning] : []);
  $("class-weights-warnings").textContent = warnings.map((t) => `Warning: ${t}.`).join(" ");
  $("class-weights-warnings").hidden = warnings.length === 0;
  if (outcome.interrupted) {
    // Ctrl-C stopped the server: the model went with it.
    setStatus(`The server was stopped (Ctrl-C) during the run on ${name}, after ${count(outcome.iterations_run)} of ${count(planned)} ${unit(planned)}; start \`dnn serve\` again and reload.`, true);
    $("results-note").textContent = "The server has exited: this model is gone and cannot be used or downloaded.";
  } else {
    setStatus(`${summary}`);
    $("results-note").textContent = usable
      ? `The model of run ${r.id} (trained on ${name}) is now in the Predict and Inspect views.`
      : "This run kept no model.";
  }
  // The download is this run's model, and no other: once a later run replaces it, the server
  // refuses it (410) and the click says so.
  $("results-note").classList.remove("error");
  $("download").href = `/api/models/trained/model.h5?run=${r.id}`;
  $("download").dataset.run = String(r.id);
  $("download").hidden = !usable;
  showRun();
}

// `Train R²: 0.999966 (RMSE 0.0216963, MAE 0.0144963, 160 examples)`, as `dnn train` prints
// it, with the R² in bold as the accuracies are.
function showScores(p, line) {
  const parts = /^(.*? R²:) (\S+)(.*)$/.exec(line);
  if (!parts) {
    p.textContent = line;
    return;
  }
  p.replaceChildren(`${parts[1]} `, element("strong", parts[2], "r2"), parts[3]);
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

// The cost chart: iterations along x (iteration i, counted from 0, ends at i + 1), cost
// along y from 0; the training cost, and the validation cost when a part is watched.
function drawCost() {
  const canvas = $("cost");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  const left = 56, right = 28, top = 14, bottom = 40;
  g.clearRect(0, 0, w, h);
  g.font = "12px system-ui, sans-serif";
  g.fillStyle = "#5b6475";
  g.strokeStyle = "#d6dae2";
  const shown = runShown();
  const costs = shown ? page.costs : [];
  const total = shown ? page.total : 0;
  const xTicks = ticks(Math.max(total, 1), true);
  const xMax = xTicks[xTicks.length - 1];
  let yMax = 0;
  for (const p of costs) {
    for (const c of p.slice(1)) if (Number.isFinite(c) && c > yMax) yMax = c;
  }
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
  for (const it of xTicks) {
    // Centred under its tick, but kept inside the canvas (the last one most of all).
    const label = count(it);
    const half = g.measureText(label).width / 2;
    g.fillText(label, Math.min(px(it), w - 2 - half), h - bottom + 6);
  }
  g.fillText((shown ? page.perEpoch : !!$("batch-size").value) ? "epoch" : "iteration", (left + w - right) / 2, h - 18);
  // What the chart shows, for those who cannot see it: the last point's costs.
  const lastPoint = costs[costs.length - 1];
  canvas.setAttribute("aria-label", lastPoint
    ? `Cost chart of run ${page.run.id}: ${(page.perEpoch ? "epoch" : "iteration")} ${count(lastPoint[0] + 1)} of ${count(total)}, cost ${lastPoint[1].toFixed(6)}${Number.isFinite(lastPoint[2]) ? `, validation cost ${lastPoint[2].toFixed(6)}` : ""}`
    : "Cost chart: no run shown");
  if (costs.length === 0) return;
  drawCurve(g, costs, 1, TRAINING_COLOUR, px, py);
  drawCurve(g, costs, 2, VALIDATION_COLOUR, px, py);
  // With early stopping the model keeps the parameters of the lowest validation cost (put
  // back, or the last's): a dashed line marks that iteration.
  const v = page.run.outcome && page.run.outcome.validation;
  if (v && v.early_stopping && v.best) {
    const x = Math.round(px(v.best[0] + 1)) + 0.5;
    g.save();
    g.strokeStyle = VALIDATION_COLOUR;
    g.fillStyle = VALIDATION_COLOUR;
    g.lineWidth = 1;
    g.setLineDash([4, 3]);
    g.beginPath();
    g.moveTo(x, top);
    g.lineTo(x, h - bottom);
    g.stroke();
    g.textAlign = x > w - right - 40 ? "right" : "left";
    g.textBaseline = "top";
    g.fillText("kept", x + (g.textAlign === "left" ? 4 : -4), top + 2);
    g.restore();
  }
}

// One curve of the cost chart: entry `k` of each point (1 the training cost, 2 the
// validation cost), one vertical stroke per pixel column (its smallest and largest cost), so
// a million points draw as fast as a hundred.
function drawCurve(g, costs, k, colour, px, py) {
  g.strokeStyle = colour;
  g.fillStyle = colour;
  g.lineWidth = 1.5;
  g.beginPath();
  let column = -1, lo = 0, hi = 0, first = true, drawn = 0, dot = null;
  const flush = () => {
    if (column < 0) return;
    if (first) { g.moveTo(column, py(hi)); first = false; } else { g.lineTo(column, py(hi)); }
    g.lineTo(column, py(lo));
  };
  for (const p of costs) {
    const [it, c] = [p[0], p[k]];
    if (!Number.isFinite(c)) continue;
    const x = Math.round(px(it + 1));
    drawn += 1;
    dot = [x, py(c)];
    if (x !== column) {
      flush();
      column = x; lo = c; hi = c;
    } else {
      lo = Math.min(lo, c); hi = Math.max(hi, c);
    }
  }
  flush();
  g.stroke();
  // One point makes no line: a dot shows it.
  if (drawn === 1) {
    g.beginPath();
    g.arc(dot[0], dot[1], 3.5, 0, 2 * Math.PI);
    g.fill();
  }
}

// Four to six round ticks from 0 to at least `max`; whole numbers only if `whole` (counts
// of iterations: a 3-epoch axis has 0, 1, 2, 3).
function ticks(max, whole = false) {
  if (whole && max <= 5) return Array.from({ length: Math.ceil(max) + 1 }, (_, k) => k);
  const raw = max / 4;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p)
    .filter((s) => !whole || Number.isInteger(s))
    .find((s) => s * 5 >= max) || 10 * p;
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
  const shown = runShown();
  const b = shown ? page.boundary : null;
  const id = shown ? page.run.setup.dataset : $("dataset").value;
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
  canvas.setAttribute("aria-label", `Decision boundary${b ? ` of run ${page.run.id}` : " (none yet)"}: ${count(d.points.length)} training points of ${d.name}, coloured by class${b ? ", over the regions the network gives each class" : ""}`);
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
  const call = ++page.modelCalls;
  let models;
  try {
    models = await api("/api/models");
  } catch (e) {
    if (call === page.modelCalls) $("predict-hint").textContent = e.message;
    return;
  }
  if (call !== page.modelCalls) return;
  const wanted = ["trained", "file"]
    .filter((slot) => models[slot])
    .map((slot) => {
      const m = models[slot];
      const label = `${slot === "file" ? "File" : "Trained"}: ${m.name} (${m.layer_sizes.join("-")})`;
      return { slot, label, kind: m.input.kind, run: m.run == null ? "" : String(m.run) };
    });
  // After a run, both views show the model just trained (once: a later choice stays).
  const preferTrained = page.preferTrained && !!models.trained;
  if (preferTrained) page.preferTrained = false;
  for (const id of ["predict-model", "inspect-model"]) {
    const select = $(id);
    // The options are rebuilt only when the models changed: an open list stays open, and a
    // choice being made (by a person or a WebDriver click) is not pulled from under it.
    const unchanged = select.options.length === wanted.length
      && wanted.every((w, i) => {
        const o = select.options[i];
        return o.value === w.slot && o.textContent === w.label && o.dataset.kind === w.kind
          && o.dataset.run === w.run;
      });
    if (!unchanged) {
      const before = select.value;
      select.replaceChildren();
      for (const w of wanted) {
        const option = element("option", w.label);
        option.value = w.slot;
        option.dataset.kind = w.kind;
        option.dataset.run = w.run;
        select.append(option);
      }
      if ([...select.options].some((o) => o.value === before)) select.value = before;
    }
    if (preferTrained) select.value = "trained";
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
  return input.kind === "points" ? "points of the plane (2 numbers)" : `table rows (${count(input.features)} inputs)`;
}

function describePredictModel() {
  const m = page.models && page.models[$("predict-model").value];
  const hint = $("predict-hint");
  if (!m) {
    hint.textContent = "No model yet: train one in the Train view, or start dnn serve with --model MODEL.h5.";
    return;
  }
  // A regression model gives a number per example, not a class.
  // A model trained with class weights leans to the classes weighed up (as the README says).
  const weighted = m.setup.class_weights ? " It was trained with class weights: its probabilities lean to the classes weighed up, so read them as scores, not frequencies." : "";
  const predicts = (m.regression ? ` It predicts a number${m.regression.target ? ` (${m.regression.target})` : ""}.` : "") + weighted;
  if (m.input.kind === "picture") {
    hint.textContent = `This model takes ${describeInput(m.input)} (JPEG or PNG, any size: they are resized as the network needs).${predicts}`;
    return;
  }
  const standardised = (m.standardized ? " The model standardises them as its file records." : "") + predicts;
  if (m.columns.length > 0) {
    const names = namesList(m.columns);
    const details = names.querySelector("details");
    if (details) details.remove();
    hint.replaceChildren(
      `This model takes a CSV table: a header row, then one example per row, with the columns `,
      names,
      ` (by name, in any order; other columns are ignored).${standardised}`,
    );
    if (details) hint.append(details);
  } else {
    hint.textContent = `This model takes a CSV table: a header row, then one example per row, whose ${count(m.layer_sizes[0])} columns are the inputs, in order.${standardised}`;
  }
}

// "picture", "table", or null when the name and type do not say.
function fileKind(file) {
  const name = file.name.toLowerCase();
  if (/\.(png|jpe?g)$/.test(name) || /^image\//.test(file.type)) return "picture";
  if (/\.(csv|txt)$/.test(name) || /csv/.test(file.type)) return "table";
  return null;
}

// The query that names the model chosen in the list `select`: its slot and, for a trained
// model, the run that trained it (the server refuses with 410 once a later run replaced it).
function modelQuery(select) {
  const option = select.selectedOptions[0];
  if (!option) return "";
  const run = option.dataset.run ? `&run=${encodeURIComponent(option.dataset.run)}` : "";
  return `?model=${encodeURIComponent(option.value)}${run}`;
}

async function predictFiles(files) {
  const list = $("predictions");
  const slot = $("predict-model").value;
  const m = page.models && page.models[slot];
  const query = modelQuery($("predict-model"));
  // The newest batch on top, its files in the order chosen.
  const items = files.map((file) => {
    const item = element("li");
    item.append(element("div", file.name, "name"));
    return item;
  });
  list.prepend(...items);
  for (const [k, file] of files.entries()) {
    const item = items[k];
    if (file.size > UPLOAD_LIMIT) {
      item.append(element("div", `larger than ${UPLOAD_LIMIT >> 20} MiB: the server takes files up to that size`, "error"));
      continue;
    }
    const kind = fileKind(file);
    if (m && kind && (kind === "picture") !== (m.input.kind === "picture")) {
      const other = kind === "picture" ? "a CSV table" : "JPEG or PNG pictures";
      item.append(element("div", `a ${kind === "picture" ? "picture" : "CSV table"}, but the model chosen (${m.name}) takes ${other}; choose another model above`, "error"));
      continue;
    }
    try {
      const answer = await api("/api/predict" + query, { method: "POST", body: file });
      showVerdicts(item, answer);
    } catch (e) {
      item.append(element("div", e.message, "error"));
      // The model chosen was replaced (a run ended elsewhere): the list shows the new one.
      if (e.status === 410) refreshModels();
    }
  }
}

// A regression's value as shown: at most 6 significant digits (the download has them all).
function shortValue(v) {
  // Beyond f64's range the server sends the text `inf` or `-inf`, as dnn predict writes it.
  if (typeof v === "string") return v;
  return v == null ? "not a number" : String(+v.toPrecision(6));
}

function showVerdicts(item, answer) {
  const results = answer.results;
  // Which model answered, in every result: a later model gives later results.
  item.append(element("div", `by ${answer.run == null ? "the model file" : "the model"} ${answer.model}`, "note by"));
  // A regression model (task "regress") gives each example a value, not a class.
  const regress = answer.task === "regress";
  const target = answer.target || "value";
  for (const warning of answer.warnings || []) item.append(element("div", `warning: ${warning}`, "note warning"));
  if (results.length === 1 && results[0].seen) {
    const r = results[0];
    const img = element("img", undefined, "seen");
    img.src = r.seen;
    img.alt = "the picture as the network saw it";
    img.title = "what the network saw";
    item.append(img);
    if (regress) {
      item.append(element("div", `${target} ${shortValue(r.value)}`, "value"));
      return;
    }
    item.append(element("div", r.class, "class"));
    item.append(element("div", `probability ${percent(r.probability)}`, "probability"));
    return;
  }
  const table = element("table");
  const head = element("tr");
  for (const t of regress ? ["row", target] : ["row", "class", "probability"]) head.append(element("th", t));
  table.append(head);
  for (const r of results.slice(0, 500)) {
    const tr = element("tr");
    if (regress) {
      tr.append(element("td", String(r.row)), element("td", shortValue(r.value), "value"));
    } else {
      tr.append(element("td", String(r.row)), element("td", r.class, "class"), element("td", percent(r.probability), "probability"));
    }
    table.append(tr);
  }
  item.append(table);
  if (results.length > 500) item.append(element("div", `… and ${count(results.length - 500)} more rows`, "note"));
  // Every row, not only those shown, as `dnn predict --output` writes them.
  const link = element("a", `Download all ${count(results.length)} predictions (CSV)`, "download");
  const csv = regress ? valuesCsv(results, answer.target) : predictionsCsv(results);
  link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  link.download = "predictions.csv";
  item.append(link);
}

// CSV quoting of one field when it holds a comma, a quote or a line break (RFC 4180, as the
// csv crate quotes).
function csvField(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// The rows' predictions as `dnn predict --output` writes them: a `row,class,probability`
// header, the probability with six decimals, a class name quoted when it holds a comma, a
// quote or a line break.
function predictionsCsv(results) {
  const lines = ["row,class,probability"];
  for (const r of results) lines.push(`${r.row},${csvField(r["class"])},${r.probability.toFixed(6)}`);
  return lines.join("\n") + "\n";
}

// A regression's rows as `dnn predict --output` writes them: a `row,<target>` header (or
// `row,value`), each value in full (the shortest decimal that reads back as the same
// number; JavaScript writes below 1e-6 and from 1e21 in exponent form, where Rust writes
// every digit, so the text may differ there but not the number).
function valuesCsv(results, target) {
  const lines = [`row,${csvField(target && target !== "row" ? target : "value")}`];
  for (const r of results) lines.push(`${r.row},${r.value == null ? "" : String(r.value)}`);
  return lines.join("\n") + "\n";
}

// What a regression model predicts: its target column and the scale its file records.
function describeRegression(r) {
  const what = r.target ? `a number: the column ${r.target} (a regression)` : "a number (a regression)";
  const scale = r.mean == null || r.std == null
    ? "; its file records no target scale"
    : `; the target's training mean ${shortValue(r.mean)}, standard deviation ${shortValue(r.std)}`;
  return what + scale;
}

async function inspect() {
  // Calls can overlap (the list's change, a refresh of the models): only the latest one
  // draws, and it clears the view only once its answer is in, so nothing is drawn twice.
  const call = ++page.inspectCalls;
  const slot = $("inspect-model").value;
  const option = $("inspect-model").selectedOptions[0];
  const run = option && option.dataset.run ? `?run=${encodeURIComponent(option.dataset.run)}` : "";
  let m = null, failure = null, gone = false;
  if (slot) {
    try {
      m = await api(`/api/models/${slot}${run}`);
    } catch (e) {
      failure = e.message;
      gone = e.status === 410;
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
    // Replaced by a later run: the list gets the new model (and this view draws it).
    if (gone) refreshModels();
    return;
  }
  $("model-caption").textContent = `The model ${m.name}: its layers and how it was trained`;
  const s = m.setup;
  const rows = [
    ["Model", m.name],
    ["Layer sizes", m.layer_sizes.join(", ")],
    ["Activations", m.activations.join(", ")],
    ["Parameters", count(m.parameters)],
    ["Element type", m.dtype],
    m.regression
      ? ["Predicts", describeRegression(m.regression)]
      : ["Classes", m.classes.length > NAMES_SHOWN + 2 ? namesList(m.classes) : m.classes.join(", ")],
    ["Input", describeInput(m.input)],
    ["Columns", m.columns.length > 0 ? namesList(m.columns) : null],
    ["Text columns", m.one_hot.length > 0 ? m.one_hot.map((h) => `${h.column} (${h.values.length > NAMES_SHOWN + 2 ? `${h.values.slice(0, NAMES_SHOWN).join(", ")}, … and ${count(h.values.length - NAMES_SHOWN)} more` : h.values.join(", ")})`).join("; ") : null],
    ["Dates", m.dates.length > 0 ? m.dates.map((d) => `${d.column} (${DATE_ORDERS[d.order] ?? d.order}: ${d.parts.join(", ")})`).join("; ") : null],
    ["Missing numbers", m.filled.length > 0 ? `filled with ${m.filled.map((f) => `${f.column} ${f.shown}`).join(", ")}` : null],
    ["Standardised inputs", m.standardized ? "yes (the z-score its file records)" : "no"],
    ["Trained on", s.data == null ? null : (s.data_sha256 == null ? s.data : `${s.data} (SHA-256 ${s.data_sha256.slice(0, 16)}…)`)],
    s.started_from == null ? ["Initialisation", s.init] : ["Started from", s.started_from], ["Seed", s.seed], ["Optimiser", s.optimizer],
    ["Learning rate", s.learning_rate], ["Batch size", s.batch_size == null ? (s.optimizer ? "full batch" : null) : s.batch_size],
    [s.batch_size == null ? "Iterations" : "Epochs", s.iterations == null ? null : `${s.iterations_run ?? "?"} of ${s.iterations}`],
    ["Final cost", s.final_cost == null ? null : s.final_cost.toFixed(6)],
    ["L2 λ", s.l2], ["Keep probability", s.keep_prob],
    ["Validation split", s.validation_split],
    ["Class weights", s.class_weights == null ? null : s.class_weights.map((w, k) => `${m.classes[k] ?? `class ${k}`} ${Number(w.toPrecision(4))}`).join(", ")],
    ["Early stopping", s.patience == null ? null : `patience ${s.patience}, min delta ${s.min_delta ?? 0}`],
  ];
  for (const [k, v] of rows) {
    if (["Columns", "Text columns", "Missing numbers", "Validation split", "Early stopping", "Class weights"].includes(k) && v == null) continue;
    const tr = element("tr");
    const td = element("td");
    if (v instanceof Node) td.append(v); else td.textContent = v == null ? "not recorded" : String(v);
    tr.append(element("th", k), td);
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

// The Download link is one run's model: a click after a later run replaced it says so in the
// results, where the browser would save nothing and show nothing.
async function download(event) {
  const link = event.currentTarget;
  if (link.dataset.checked === "yes") {
    link.dataset.checked = "";
    return;
  }
  event.preventDefault();
  let models;
  try {
    models = await api("/api/models");
  } catch (e) {
    $("results-note").textContent = e.message;
    return;
  }
  const now = models.trained && models.trained.run;
  if (String(now) !== link.dataset.run) {
    $("results-note").textContent = now == null
      ? `The model of run ${link.dataset.run} is gone: there is no trained model now.`
      : `The model of run ${link.dataset.run} is gone: run ${now} has replaced it; Predict and Inspect now have run ${now}'s.`;
    $("results-note").classList.add("error");
    link.hidden = true;
    refreshModels();
    return;
  }
  link.dataset.checked = "yes";
  link.click();
}

// An idle page (following no run) asks now and then whether a run started elsewhere has ended,
// and lists its model in Predict and Inspect at once: the model lists never name a model that
// has been replaced for longer than that.
async function watchRuns() {
  if (page.events === null && document.visibilityState !== "hidden") {
    const run = await api("/api/train").catch(() => undefined);
    if (run !== undefined && page.events === null) {
      const seen = run ? `${run.id} ${run.running ? "running" : "done"}` : null;
      if (seen !== page.lastRun) {
        const ended = run && !run.running;
        page.lastRun = seen;
        if (ended) refreshModels();
      }
    }
  }
  setTimeout(watchRuns, WATCH_EVERY_MS);
}

// ---------- start-up ----------

async function main() {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => show(tab.dataset.view));
    tab.addEventListener("keydown", tabKey);
  }
  $("train-form").addEventListener("submit", start);
  $("train-form").addEventListener("input", (e) => e.target.removeAttribute("aria-invalid"));
  $("stop").addEventListener("click", stop);
  $("download").addEventListener("click", download);
  $("defaults").addEventListener("click", datasetChosen);
  $("dataset").addEventListener("change", datasetChosen);
  $("early-stopping").addEventListener("change", updateValidationFields);
  $("batch-size").addEventListener("input", () => {
    updateIterationsLabel();
    if (!runShown()) showRun();
  });
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
    const what = regresses(d) ? ` (predicts ${d.target}, a number)` : "";
    const option = element("option", d.available ? d.name + what : `${d.name} (not available)`);
    option.value = d.id;
    select.append(option);
  }
  // The data set given with --data first: the page was started for it.
  const first = page.datasets.find((d) => d.available && d.id === USER_DATA)
    || page.datasets.find((d) => d.available);
  if (first) select.value = first.id;
  datasetChosen();
  const run = await api("/api/train").catch(() => null);
  if (run) {
    select.value = run.setup.dataset;
    datasetChosen();
    fillForm(run.setup);
    follow(run, false);
  }
  page.lastRun = run ? `${run.id} ${run.running ? "running" : "done"}` : null;
  refreshModels();
  setTimeout(watchRuns, WATCH_EVERY_MS);
}

main();
