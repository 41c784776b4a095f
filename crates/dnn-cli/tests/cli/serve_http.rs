//! `dnn serve` over HTTP: every endpoint, the bad inputs, one training at a time, stop,
//! Ctrl-C and bad flags, against the real binary on a free port.
//!
//! Expected numbers come from the published exercises: the cat set-up's costs and
//! accuracies (xtask/expected/repro.json, numpy's), the "Initialization" assignment's
//! circles (train 0.9933, test 0.96), and the "Optimization methods" moons with Adam
//! (accuracy 0.9433, xtask/expected/gen_toy.py).

use crate::common;
use crate::fixtures;
use crate::server;

use std::time::Duration;

use dnn_data::image::{load_picture, read_picture, ImageLimits};
use dnn_data::model::{load_model, AnyNetwork};
use serde_json::{json, Value};
use server::{downloaded, events, get, outcome, post, post_empty, post_json, raw, Server, Update};

/// A long flower run, to be stopped.
fn long_flower() -> Value {
    json!({"dataset": "flower", "layers": [2, 4, 1], "hidden": "tanh", "output": "sigmoid",
           "init": "small", "seed": 2, "optimizer": "gd", "learning_rate": 1.2,
           "iterations": 1_000_000})
}

/// The preset of data set `id`, as `GET /api/datasets` lists it.
fn preset(server: &Server, id: &str) -> Value {
    let list = get(&server.url("/api/datasets")).json();
    list.as_array()
        .expect("a list")
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no data set {id}"))["preset"]
        .clone()
}

/// All `[iteration, cost]` points of a run's updates.
fn points(updates: &[Update]) -> Vec<(usize, f64)> {
    updates
        .iter()
        .flat_map(|u| u["points"].as_array().expect("points").clone())
        .map(|p| {
            (
                p[0].as_u64().expect("it") as usize,
                p[1].as_f64().expect("cost"),
            )
        })
        .collect()
}

/// The outcome in the last update.
impl std::ops::Index<&str> for Update {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.data[key]
    }
}

fn empty_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn the_page_is_served_from_the_binary_with_its_script_and_style() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    for (path, kind, needle) in [
        ("/", "text/html", "id=\"cost\""),
        (
            "/app.js",
            "text/javascript",
            "EventSource(\"/api/train/events\")",
        ),
        ("/style.css", "text/css", "#drop-zone"),
    ] {
        let page = get(&server.url(path));
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.content_type.starts_with(kind),
            "{path}: {}",
            page.content_type
        );
        assert!(page.text().contains(needle), "{path} lacks {needle}");
        let csp = page.header("content-security-policy").expect("a CSP");
        assert!(csp.contains("default-src 'self'"), "{csp}");
    }
    let missing = get(&server.url("/nothing-here"));
    missing.one_line_error(404);
}

#[test]
fn the_data_sets_carry_their_published_set_ups_and_a_missing_cat_set_says_why() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    let list = get(&server.url("/api/datasets")).json();
    let ids: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["cat", "flower", "moons", "circles"]);
    assert_eq!(list[0]["available"], false);
    assert!(
        list[0]["problem"]
            .as_str()
            .expect("problem")
            .contains("put train_catvnoncat.h5 and test_catvnoncat.h5 in "),
        "{}",
        list[0]
    );
    assert_eq!(list[1]["preset"]["layers"], json!([2, 4, 1]));
    assert_eq!(list[1]["preset"]["learning_rate"], json!(1.2));
    assert_eq!(list[2]["preset"]["optimizer"], "adam");
    assert_eq!(list[2]["preset"]["batch_size"], 64);
    assert_eq!(list[3]["preset"]["layers"], json!([2, 10, 5, 1]));
    assert_eq!(list[1]["points"].as_array().expect("points").len(), 400);
    let mut cat = long_flower();
    cat["dataset"] = json!("cat");
    let refused = post_json(&server.url("/api/train"), &cat).one_line_error(400);
    assert!(refused.contains("fetch-data"), "{refused}");
}

#[test]
fn a_circles_run_streams_every_cost_live_and_reaches_the_published_accuracies() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    let setup = preset(&server, "circles");
    let started = post_json(&server.url("/api/train"), &setup);
    assert_eq!(started.status, 202, "{}", started.text());
    let updates = events(&server, Duration::from_secs(120), |_| {});
    let costs = points(&updates);
    assert_eq!(costs.len(), 15000);
    assert!(costs.iter().enumerate().all(|(i, &(it, _))| i == it));
    let done = outcome(&updates);
    // The "Initialization" assignment with He initialisation: train 0.9933, test 0.96.
    assert_eq!(
        done["train_accuracy"].as_f64(),
        Some(298.0 / 300.0),
        "{done}"
    );
    assert_eq!(done["test_accuracy"].as_f64(), Some(0.96), "{done}");
    assert_eq!(done["stopped"], false);
    assert_eq!(done["model"], true);
    // Live: a message at least 5 times per second of training, and boundaries on the way.
    let seconds = done["train_seconds"].as_f64().expect("seconds");
    let live = updates.len() - 1;
    assert!(
        live as f64 >= (seconds * 5.0).floor(),
        "{live} updates in {seconds:.2} s of training"
    );
    let boundaries: Vec<&Value> = updates
        .iter()
        .map(|u| &u["boundary"])
        .filter(|b| b.is_object())
        .collect();
    assert!(!boundaries.is_empty());
    let last = boundaries.last().expect("a boundary");
    let cells = last["nx"].as_u64().expect("nx") * last["ny"].as_u64().expect("ny");
    use base64::Engine;
    let classes = base64::engine::general_purpose::STANDARD
        .decode(last["classes"].as_str().expect("classes"))
        .expect("base64");
    assert_eq!(classes.len() as u64, cells);
    // The circles: the inner class in the middle of the grid, the outer one in a corner.
    let (nx, ny) = (
        last["nx"].as_u64().unwrap() as usize,
        last["ny"].as_u64().unwrap() as usize,
    );
    assert_eq!(classes[(ny / 2) * nx + nx / 2], 1);
    assert_eq!(classes[0], 0);
    // The status says it is over; the trained model is listed.
    let status = get(&server.url("/api/train")).json();
    assert_eq!(status["running"], false);
    assert_eq!(status["iterations_done"], 15000);
    let models = get(&server.url("/api/models")).json();
    assert_eq!(models["trained"]["layer_sizes"], json!([2, 10, 5, 1]));
    assert_eq!(models["trained"]["setup"]["init"], "he");
    assert!(models["file"].is_null());
}

#[test]
fn a_moons_run_with_adam_and_mini_batches_reaches_the_published_accuracy() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    let started = post_json(&server.url("/api/train"), &preset(&server, "moons"));
    assert_eq!(started.status, 202, "{}", started.text());
    assert_eq!(started.json()["per_epoch"], true);
    let updates = events(&server, Duration::from_secs(120), |_| {});
    let costs = points(&updates);
    assert_eq!(costs.len(), 5000);
    assert_matches_numpy(&costs, &common::expected("moons-adam"));
    let done = outcome(&updates);
    assert_eq!(
        done["train_accuracy"],
        common::expected("moons-adam")["accuracy"],
        "{done}"
    );
    // Even classes, no weights: no balanced accuracy.
    assert_eq!(
        (&done["class_weights"], &done["balanced_accuracy"]),
        (&Value::Null, &Value::Null)
    );
}

#[test]
fn the_cat_run_is_the_published_one_and_its_download_and_pictures_agree_with_dnn() {
    let dir = empty_dir();
    let data = common::data_dir();
    let server = Server::start(dir.path(), &data, &[]);
    let setup = preset(&server, "cat");
    assert_eq!(setup["layers"], json!([12288, 20, 7, 5, 1]));
    assert_eq!(post_json(&server.url("/api/train"), &setup).status, 202);
    let updates = events(&server, Duration::from_secs(300), |_| {});
    let costs = points(&updates);
    let expected = common::expected("deep");
    assert_matches_numpy(&costs, &expected);
    let done = outcome(&updates);
    assert_eq!(done["train_accuracy"], expected["train_accuracy"], "{done}");
    assert_eq!(done["test_accuracy"], expected["test_accuracy"], "{done}");

    // The download is the model file `dnn train --save` writes: dnn evaluate reads it.
    let file = get(&server.url("/api/models/trained/model.h5"));
    assert_eq!(file.status, 200);
    assert_eq!(file.content_type, "application/x-hdf5");
    assert!(file
        .header("content-disposition")
        .expect("attachment")
        .contains("model.h5"));
    let model_path = dir.path().join("downloaded.h5");
    std::fs::write(&model_path, &file.body).expect("write");
    let model = load_model(&model_path).expect("a model file");
    assert_eq!(model.network.layer_sizes(), [12288, 20, 7, 5, 1]);
    assert_eq!(model.setup.iterations_run, Some(2500));
    let evaluated = common::dnn_in(
        dir.path(),
        &[
            "evaluate",
            "--model",
            "downloaded.h5",
            "--data",
            data.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(evaluated.code, Some(0), "{}", evaluated.stderr);
    assert!(
        evaluated.stdout.contains("Train accuracy: 0.985646"),
        "{}",
        evaluated.stdout
    );

    // A picture: the verdict is the network's on the picture as dnn loads it, and the
    // picture the network saw is that 64x64 picture.
    let picture = dir.path().join("mine.png");
    fixtures::write_png(&picture, 100, 80, image::ColorType::Rgb8);
    let verdict = post(
        &server.url("/api/predict?model=trained"),
        "image/png",
        &std::fs::read(&picture).expect("read"),
    );
    assert_eq!(verdict.status, 200, "{}", verdict.text());
    let verdict = verdict.json();
    let AnyNetwork::F64(net) = &model.network else {
        panic!("an f64 model")
    };
    let p = net
        .predict_proba(&load_picture::<f64>(&picture).expect("picture"))
        .expect("proba")[[0, 0]];
    let result = &verdict["results"][0];
    let class = if p > 0.5 { "cat" } else { "non-cat" };
    assert_eq!(result["class"], class);
    assert_eq!(
        result["probability"].as_f64(),
        Some(if p > 0.5 { p } else { 1.0 - p })
    );
    assert_eq!(result["probabilities"][1].as_f64(), Some(p));
    let predicted = common::dnn_in(
        dir.path(),
        &["predict", "--model", "downloaded.h5", "mine.png"],
    );
    assert!(
        predicted
            .stdout
            .contains(&format!("{class} (probability {:.4})", p.max(1.0 - p))),
        "{}",
        predicted.stdout
    );
    let seen = seen_picture(result["seen"].as_str().expect("seen"));
    let pixels = read_picture(&picture, 64, &ImageLimits::DEFAULT).expect("pixels");
    assert_eq!(seen, pixels.iter().copied().collect::<Vec<u8>>());

    // Inspect: the layer sizes and set-up, and one 64x64 picture per first-layer unit.
    let inspected = get(&server.url("/api/models/trained")).json();
    assert_eq!(inspected["layer_sizes"], json!([12288, 20, 7, 5, 1]));
    assert_eq!(
        inspected["activations"],
        json!(["relu", "relu", "relu", "sigmoid"])
    );
    assert_eq!(inspected["setup"]["learning_rate"], json!(0.0075));
    assert_eq!(inspected["setup"]["init"], "scaled");
    // What it was trained on, as dnn train records it: the cat set's name and digest.
    let cat = dnn_data::load(common::data_dir(), &dnn_data::LoadOptions::default()).expect("cat");
    assert_eq!(inspected["setup"]["data_sha256"], json!(cat.source.sha256));
    assert_eq!(inspected["setup"]["started_from"], json!(null));
    let units = inspected["units"].as_array().expect("units");
    assert_eq!(units.len(), 20);
    let unit = seen_picture(units[3].as_str().expect("unit"));
    let w = net.layers()[0].weights().row(3).to_owned();
    let (lo, hi) = w
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let expect: Vec<u8> = w
        .iter()
        .map(|&v| ((v - lo) / (hi - lo) * 255.0).round() as u8)
        .collect();
    assert_eq!(unit, expect);
    get(&server.url("/api/models/file")).one_line_error(404);
}

/// The streamed costs equal numpy's (repro.json, by xtask/expected/gen_*.py) to 1e-6, as
/// `cargo xtask repro` checks the command line's.
fn assert_matches_numpy(costs: &[(usize, f64)], expected: &Value) {
    let want = expected["costs"].as_array().expect("costs");
    assert!(!want.is_empty());
    for pair in want {
        let (it, cost) = (
            pair[0].as_u64().expect("it") as usize,
            pair[1].as_f64().expect("cost"),
        );
        assert_eq!(costs[it].0, it);
        assert!(
            (costs[it].1 - cost).abs() < 1e-6,
            "cost at {it}: {} vs numpy {cost}",
            costs[it].1
        );
    }
}

/// The RGB bytes of a `data:image/png;base64,` picture of 64x64 pixels.
fn seen_picture(url: &str) -> Vec<u8> {
    use base64::Engine;
    let b64 = url
        .strip_prefix("data:image/png;base64,")
        .expect("a PNG data URL");
    let png = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    let img = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    assert_eq!(img.dimensions(), (64, 64));
    img.into_raw()
}

#[test]
fn one_training_at_a_time_and_stop_ends_it_cleanly() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    let first = post_json(&server.url("/api/train"), &long_flower());
    assert_eq!(first.status, 202, "{}", first.text());
    let second = post_json(&server.url("/api/train"), &preset(&server, "moons"));
    let says = second.one_line_error(409);
    assert!(says.contains("already running"), "{says}");
    let mut asked = false;
    let updates = events(&server, Duration::from_secs(120), |u| {
        if !asked && !u["points"].as_array().expect("points").is_empty() {
            assert_eq!(post_empty(&server.url("/api/train/stop")).status, 202);
            asked = true;
        }
    });
    let done = outcome(&updates);
    assert_eq!(done["stopped"], true, "{done}");
    assert_eq!(done["interrupted"], false);
    let run = done["iterations_run"].as_u64().expect("run") as usize;
    assert!(run > 0 && run < 1_000_000, "{run}");
    assert_eq!(points(&updates).len(), run);
    assert!(done["train_accuracy"].as_f64().expect("accuracy") > 0.5);
    let says = post_empty(&server.url("/api/train/stop")).one_line_error(409);
    assert!(says.contains("no training is running"), "{says}");
    // A stopped model is kept, and the next run may start.
    assert_eq!(get(&server.url("/api/models/trained/model.h5")).status, 200);
    let mut short = long_flower();
    short["iterations"] = json!(10);
    assert_eq!(post_json(&server.url("/api/train"), &short).status, 202);
}

#[test]
fn bad_set_ups_are_refused_with_one_line_that_names_the_value() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    let with = |key: &str, value: Value| {
        let mut s = long_flower();
        s[key] = value;
        s
    };
    let cases = [
        (with("dataset", json!("mnist")), "no data set `mnist`"),
        (with("layers", json!([3, 4, 1])), "start the layers with 2"),
        (
            with("layers", json!([2])),
            "at least an input and an output",
        ),
        (with("layers", json!([2, 0, 1])), "layer 1 has size 0"),
        (
            with("layers", json!([2, 4, 2])),
            "sigmoid output is one unit",
        ),
        (with("output", json!("softmax")), "choose sigmoid"),
        (with("output", json!("relu")), "not an output activation"),
        (with("hidden", json!("softmax")), "not a hidden activation"),
        (with("init", json!("random")), "not an initialisation"),
        (with("optimizer", json!("sgd")), "not an optimiser"),
        (with("learning_rate", json!(0)), "learning_rate"),
        (with("learning_rate", json!(-1.5)), "learning_rate"),
        // What JSON.stringify makes of NaN, without axum's "Failed to deserialize" preamble.
        (
            with("learning_rate", json!(null)),
            "the training set-up: learning_rate is null (not a number?); send a finite number",
        ),
        (
            with("early_stopping", json!(null)),
            "the training set-up: early_stopping is null; send true or false",
        ),
        (with("iterations", json!(0)), "iterations"),
        (with("iterations", json!(2_000_000)), "iterations"),
        (with("batch_size", json!(0)), "batch_size"),
        (with("layers", json!([2, 100_000_000, 1])), "parameters"),
        (with("seed", json!(-1)), "seed"),
        (with("colour", json!("blue")), "colour"),
        (json!({"dataset": "flower"}), "missing field"),
        (json!([1, 2]), "the training set-up"),
    ];
    for (body, needle) in cases {
        let answer = post_json(&server.url("/api/train"), &body);
        let says = answer.one_line_error(400);
        assert!(says.contains(needle), "{body}: {says}");
    }
    let not_json = post(&server.url("/api/train"), "application/json", b"{layers: 2");
    not_json.one_line_error(400);
    let not_typed = post(
        &server.url("/api/train"),
        "text/plain",
        long_flower().to_string().as_bytes(),
    );
    not_typed.one_line_error(400);
    // Nothing started.
    assert!(get(&server.url("/api/train")).json().is_null());
    get(&server.url("/api/train/events")).one_line_error(404);
}

#[test]
fn bad_uploads_are_400_too_large_ones_413_and_the_server_stays_up() {
    let dir = empty_dir();
    fixtures::write_model(&dir.path().join("cats.h5"), &[12288, 3, 1]);
    let server = Server::start(dir.path(), dir.path(), &["--model", "cats.h5"]);
    let url = server.url("/api/predict?model=file");
    let png = {
        let p = dir.path().join("p.png");
        fixtures::write_png(&p, 30, 30, image::ColorType::Rgba8);
        std::fs::read(&p).expect("png")
    };
    assert_eq!(post(&url, "image/png", &png).status, 200);
    let cases: [(&[u8], u16, &str); 5] = [
        (
            b"name,age\nann,3\n",
            400,
            "is text (a CSV table?), not a picture",
        ),
        (b"", 400, "empty"),
        (&png[..png.len() / 2], 400, "the upload"),
        (&fixtures::png_header_only(20000, 20000), 400, "too large"),
        (b"GIF89a\x01\x00\x01\x00", 400, "not a JPEG or PNG image"),
    ];
    for (body, status, needle) in cases {
        let says = post(&url, "application/octet-stream", body).one_line_error(status);
        assert!(says.contains(needle), "{needle}: {says}");
    }
    // Too large: refused from its Content-Length, before the body is sent (as curl and
    // browsers ask with `Expect: 100-continue`).
    let (status, body) = raw(
        &server,
        &format!(
            "POST /api/predict?model=file HTTP/1.1\r\nHost: {}\r\nContent-Type: image/png\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            server.authority(),
            21 << 20
        ),
    );
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("larger than 20 MiB"), "{body}");
    post(
        &server.url("/api/predict?model=elsewhere"),
        "image/png",
        &png,
    )
    .one_line_error(404);
    post(&server.url("/api/predict?model=trained"), "image/png", &png).one_line_error(404);
    assert_eq!(get(&server.url("/")).status, 200);
    assert_eq!(post(&url, "image/png", &png).status, 200);
}

#[test]
fn a_table_model_predicts_each_row_of_a_csv_and_refuses_bad_ones() {
    let dir = empty_dir();
    fixtures::write_model(&dir.path().join("points.h5"), &[2, 3, 1]);
    let server = Server::start(dir.path(), dir.path(), &["--model", "points.h5"]);
    let url = server.url("/api/predict");
    let answer = post(&url, "text/csv", b"x1,x2\n0.5,-1\n2,3\n");
    assert_eq!(answer.status, 200, "{}", answer.text());
    let results = answer.json()["results"]
        .as_array()
        .expect("results")
        .clone();
    assert_eq!(results.len(), 2);
    let net = fixtures::network(&[2, 3, 1]);
    for (r, (a, b)) in results.iter().zip([(0.5, -1.0), (2.0, 3.0)]) {
        let p = net
            .predict_proba(&ndarray::array![[a], [b]])
            .expect("proba")[[0, 0]];
        assert_eq!(r["probabilities"][1].as_f64(), Some(p));
    }
    assert_eq!(results[1]["row"], 2);
    for (body, needle) in [
        (&b"a,b,c\n1,2,3\n"[..], "the table has 3 columns (a, b, c)"),
        (b"x1,x2\n3,abc\n", "`abc` is not a number"),
        (b"x1,x2\n3\n", "the upload"),
        (b"x,y\n", "no data rows"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n....", "this is a picture"),
    ] {
        let says = post(&url, "text/csv", body).one_line_error(400);
        assert!(says.contains(needle), "{needle}: {says}");
    }
    let inspected = get(&server.url("/api/models/file")).json();
    assert_eq!(inspected["input"]["kind"], "points");
    assert!(inspected["units"].as_array().expect("units").is_empty());
}

#[test]
fn no_path_reaches_a_file_outside_the_model_and_data() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    for path in [
        "/static/../../etc/passwd",
        "/../../../../etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/app.js/../../../etc/passwd",
        "/api/models/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/models/%2e%2e",
        "/api/models/trained/../../../../etc/passwd",
        "//etc/passwd",
        "/api/models/file/model.h5",
        "/etc/passwd",
        "/Cargo.toml",
    ] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.authority()
        );
        let (status, body) = raw(&server, &request);
        assert!(matches!(status, 400 | 404), "{path}: {status} {body}");
        assert!(!body.contains("root:"), "{path}: {body}");
    }
    // A known route with a method it does not take: 405 with one line, like every error.
    for (method, path) in [
        ("GET", "/api/train/stop"),
        ("DELETE", "/api/train"),
        ("GET", "/api/predict"),
    ] {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.authority()
        );
        let (status, body) = raw(&server, &request);
        assert_eq!(status, 405, "{method} {path}: {body}");
        assert_eq!(
            body.trim_end(),
            format!("{method} {path} is not a request this server answers; the routes are listed in dnn serve's README section"),
            "{method} {path}"
        );
        assert_eq!(
            body.trim_end().lines().count(),
            1,
            "{method} {path}: {body}"
        );
    }
}

#[test]
fn ctrl_c_stops_the_training_as_dnn_train_does_and_exits_130() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    assert_eq!(
        post_json(&server.url("/api/train"), &long_flower()).status,
        202
    );
    let stream = {
        let server_url = server.url("/api/train/events");
        std::thread::spawn(move || {
            let r = ureq::get(&server_url).call().expect("events");
            let mut body = String::new();
            let _ = std::io::Read::read_to_string(&mut r.into_body().into_reader(), &mut body);
            body
        })
    };
    // Wait for the training to be under way.
    let started = std::time::Instant::now();
    while get(&server.url("/api/train")).json()["iterations_done"].as_u64() == Some(0) {
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, stderr) = server.interrupt(Duration::from_secs(10));
    assert_eq!(code, Some(130), "{stderr}");
    let line = stderr.trim();
    assert!(
        line.starts_with("interrupted: the training on Flower stopped after ")
            && line.ends_with(" of 1000000 iterations"),
        "{stderr}"
    );
    let body = stream.join().expect("stream");
    assert!(body.contains("\"interrupted\":true"), "{body}");
}

/// The names of the threads of process `pid`, from `/proc`.
fn thread_names(pid: u32) -> Vec<String> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("the server's threads");
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// `--threads N` (a flag of every subcommand) starts the product threads at once, N with
/// this one: serve has N - 1 `dnn-gemm-*` workers before any product.
#[test]
fn threads_start_as_many_product_workers_as_asked() {
    let dir = empty_dir();
    for (threads, workers) in [("3", 2), ("1", 0)] {
        let server = Server::start(dir.path(), dir.path(), &["--threads", threads]);
        let names = thread_names(server.pid());
        let gemm = names.iter().filter(|n| n.starts_with("dnn-gemm-")).count();
        assert_eq!(gemm, workers, "--threads {threads}: {names:?}");
        let (code, stderr) = server.interrupt(Duration::from_secs(5));
        assert_eq!(code, Some(130), "{stderr}");
    }
}

#[test]
fn ctrl_c_with_nothing_running_exits_130_at_once() {
    let dir = empty_dir();
    let server = Server::start(dir.path(), dir.path(), &[]);
    let (code, stderr) = server.interrupt(Duration::from_secs(5));
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn bad_flags_are_one_line_errors() {
    let dir = empty_dir();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    std::fs::write(dir.path().join("junk.h5"), b"not a model").expect("junk");
    std::fs::write(dir.path().join("model.onnx"), b"\x08\x08\x12\x03dnn").expect("onnx");
    for (args, code, needle) in [
        (
            vec!["--port", port.as_str()],
            1,
            "another program is listening on port",
        ),
        (
            vec!["--host", "192.0.2.1", "--port", "0"],
            1,
            "192.0.2.1 is not an address of this machine; give --host one of its own addresses",
        ),
        (vec!["--model", "missing.h5"], 1, "missing.h5"),
        (
            vec!["--model", "junk.h5"],
            1,
            "error: --model: junk.h5: not a readable HDF5 file",
        ),
        (
            vec!["--model", "model.onnx"],
            1,
            "error: --model: model.onnx is an ONNX file, which dnn writes (`dnn export`) but \
             does not read",
        ),
        (
            vec!["--data", "missing"],
            1,
            "--data: missing: file not found",
        ),
        (
            vec!["--target", "kind"],
            1,
            "--target says how to read --data, which is not given; add --data PATH",
        ),
        (vec!["--host", "example.org"], 2, "not an IP address"),
        (vec!["--port", "70000"], 2, "70000"),
    ] {
        let mut all = vec!["serve"];
        all.extend(&args);
        let run = common::dnn_in(dir.path(), &all);
        assert_eq!(run.code, Some(code), "{args:?}: {}", run.stderr);
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{args:?}: {}", run.stderr);
        assert!(errors[0].contains(needle), "{args:?}: {}", run.stderr);
        if code == 1 {
            assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        }
    }
    drop(taken);
}

#[test]
fn user_data_in_the_course_layout_is_offered_for_training() {
    let dir = empty_dir();
    fixtures::tiny_data(&dir.path().join("mine"));
    let server = Server::start(dir.path(), dir.path(), &["--data", "mine"]);
    let list = get(&server.url("/api/datasets")).json();
    let mine = &list[4];
    assert_eq!(mine["id"], "data");
    assert_eq!(
        mine["input"],
        json!({"kind": "picture", "height": 8, "width": 8, "channels": 3})
    );
    assert_eq!(mine["classes"], json!(["non-cat", "cat"]));
    assert_eq!(mine["preset"]["layers"], json!([192, 20, 7, 5, 1]));
    let mut setup = mine["preset"].clone();
    setup["iterations"] = json!(20);
    assert_eq!(post_json(&server.url("/api/train"), &setup).status, 202);
    let done = outcome(&events(&server, Duration::from_secs(60), |_| {}));
    assert_eq!(done["iterations_run"], 20, "{done}");
    let units = get(&server.url("/api/models/trained")).json()["units"].clone();
    assert_eq!(units.as_array().expect("units").len(), 20);
}

/// `--data` is read as `dnn train --data` reads it: with the same flags, and the same
/// warnings about what it holds.
#[test]
fn user_data_takes_the_data_flags_of_train_and_its_warnings() {
    let dir = empty_dir();
    fixtures::write_picture_folder(&dir.path().join("shapes"), &["red", "green"], 10, 12);
    std::fs::write(dir.path().join("shapes").join("red").join("notes.txt"), "x").expect("notes");
    let server = Server::start(
        dir.path(),
        dir.path(),
        &[
            "--data",
            "shapes",
            "--image-size",
            "6",
            "--test-split",
            "0.5",
        ],
    );
    let list = get(&server.url("/api/datasets")).json();
    let mine = &list[4];
    assert_eq!(
        mine["input"],
        json!({"kind": "picture", "height": 6, "width": 6, "channels": 3})
    );
    assert!(
        mine["description"]
            .as_str()
            .is_some_and(|d| d.contains("10 training and 10 test examples")),
        "{mine}"
    );
    let (code, stderr) = server.interrupt(Duration::from_secs(5));
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "warning: skipped 1 file without a .png, .jpg or .jpeg extension in shapes"
    );
}

/// Four features, three classes (labels as words), 30 rows per class, well apart.
fn three_class_csv() -> String {
    let mut csv = String::from("width,height,weight,age,kind\n");
    for (k, kind) in ["small", "medium", "large"].iter().enumerate() {
        for j in 0..30 {
            let f = |base: f64| base * (k as f64 + 1.0) + ((j * 7 + k) % 10) as f64 * 0.1;
            csv += &format!("{},{},{},{},{kind}\n", f(1.0), f(10.0), f(100.0), 30 + j);
        }
    }
    csv
}

#[test]
fn a_csv_table_given_with_data_trains_with_softmax_and_its_model_records_what_it_means() {
    let dir = empty_dir();
    std::fs::write(dir.path().join("sizes.csv"), three_class_csv()).expect("csv");
    let server = Server::start(dir.path(), dir.path(), &["--data", "sizes.csv"]);
    let list = get(&server.url("/api/datasets")).json();
    let mine = &list[4];
    assert_eq!(mine["classes"], json!(["large", "medium", "small"]));
    assert_eq!(mine["input"], json!({"kind": "table", "features": 4}));
    assert_eq!(
        (mine["train_size"].as_u64(), mine["test_size"].as_u64()),
        (Some(72), Some(18))
    );
    let preset = mine["preset"].clone();
    assert_eq!(preset["layers"], json!([4, 16, 8, 3]));
    assert_eq!(preset["output"], "softmax");
    let mut sigmoid = preset.clone();
    sigmoid["output"] = json!("sigmoid");
    let says = post_json(&server.url("/api/train"), &sigmoid).one_line_error(400);
    assert!(says.contains("choose softmax"), "{says}");
    assert_eq!(post_json(&server.url("/api/train"), &preset).status, 202);
    let done = outcome(&events(&server, Duration::from_secs(120), |_| {}));
    assert_eq!(done["test_accuracy"].as_f64(), Some(1.0), "{done}");
    // Named by the data's name, not the set-up's id (`data`).
    let models = get(&server.url("/api/models")).json();
    assert_eq!(
        models["trained"]["name"], "run 1, trained here on sizes.csv",
        "{models}"
    );

    // The download records the classes, the columns and the z-score fitted on the training part.
    let model = downloaded(&server, &dir.path().join("sizes.h5"));
    let spec = model.spec.expect("the file records its data");
    assert_eq!(spec.classes, ["large", "medium", "small"]);
    let z = spec.standardization.expect("standardised");
    assert_eq!(model.setup.test_split, Some(0.2));

    // Predicting takes the columns by name, ignores others, and standardises.
    let answer = post(
        &server.url("/api/predict?model=trained"),
        "text/csv",
        b"age,kind,weight,height,width\n31,?,100.2,10.1,1.0\n45,?,300.5,30.2,3.1\n",
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let results = answer.json()["results"].clone();
    let classes: Vec<&str> = results
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["class"].as_str().expect("class"))
        .collect();
    assert_eq!(classes, ["small", "large"]);
    let mut x = ndarray::array![[1.0, 3.1], [10.1, 30.2], [100.2, 300.5], [31.0, 45.0]];
    z.apply(&mut x);
    let p = model.network.predict_proba(&x).expect("proba");
    for (j, r) in results.as_array().expect("rows").iter().enumerate() {
        let probabilities: Vec<f64> = p.column(j).to_vec();
        assert_eq!(r["probabilities"], json!(probabilities));
    }
    let says = post(
        &server.url("/api/predict?model=trained"),
        "text/csv",
        b"width,height\n1,2\n",
    )
    .one_line_error(400);
    assert!(says.contains("weight"), "{says}");
}

/// `serve --data` reads a table with a text column and missing numbers as `dnn train` does
/// (`--fill-missing`), and its Predict view applies the trained model's values to an upload:
/// the one-hot encoding, the fill value, and a warning for a value training never met.
#[test]
fn a_table_with_text_and_missing_numbers_is_served_as_train_reads_it() {
    let dir = empty_dir();
    let mut csv = String::from("colour,size,kind\n");
    for j in 0..60 {
        let colour = ["red", "green", "blue"][j % 3];
        let size = if j % 10 == 3 {
            String::new()
        } else {
            format!("{}", j % 7)
        };
        csv += &format!("{colour},{size},{}\n", ["a", "b"][usize::from(j % 3 == 0)]);
    }
    std::fs::write(dir.path().join("paint.csv"), csv).expect("csv");
    let refused = common::dnn_in(dir.path(), &["serve", "--port", "0", "--data", "paint.csv"]);
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("column `size`: the cell is empty")
            && refused.stderr.contains("--fill-missing mean"),
        "{}",
        refused.stderr
    );
    let server = Server::start(
        dir.path(),
        dir.path(),
        &["--data", "paint.csv", "--fill-missing", "mean"],
    );
    let list = get(&server.url("/api/datasets")).json();
    let mine = &list[4];
    assert_eq!(mine["input"], json!({"kind": "table", "features": 4}));
    let set_up = mine["preset"].clone();
    assert_eq!(post_json(&server.url("/api/train"), &set_up).status, 202);
    outcome(&events(&server, Duration::from_secs(120), |_| {}));
    let upload = b"size,colour\n1,purple\n,red\n2.5,green\n";
    let answer = post(
        &server.url("/api/predict?model=trained"),
        "text/csv",
        upload,
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let answer = answer.json();
    assert_eq!(
        answer["warnings"],
        json!([
            "column `colour`: 1 row has a value the model was not trained on (the first: \
                `purple`, row 1); it counts as none of its values"
        ])
    );
    // The downloaded model, given the same rows by dnn-data's reader, says the same.
    let path = dir.path().join("paint.h5");
    let model = downloaded(&server, &path);
    let spec = model.spec.clone().expect("spec");
    // Inspect's summary shows what the file records.
    let dnn_data::Input::Table {
        one_hot, filled, ..
    } = &spec.input
    else {
        panic!("a table model: {:?}", spec.input)
    };
    let summary = &get(&server.url("/api/models")).json()["trained"];
    assert_eq!(summary["one_hot"], json!(one_hot), "{summary}");
    // Each fill value, and as the page shows it (to 4 decimals).
    assert_eq!(
        summary["filled"].as_array().map(Vec::len),
        Some(filled.len())
    );
    for (f, s) in filled
        .iter()
        .zip(summary["filled"].as_array().into_iter().flatten())
    {
        assert_eq!(
            (&s["column"], &s["value"]),
            (&json!(f.column), &json!(f.value))
        );
        let shown: f64 = s["shown"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("a number");
        assert!((shown - f.value).abs() <= 5e-5, "{s}");
    }
    assert_eq!(one_hot[0].values, ["blue", "green", "red"]);
    assert_eq!(filled[0].column, "size");
    let table = dnn_data::table::read_table_from(
        &upload[..],
        "upload".as_ref(),
        dnn_data::table::Columns::of_model(&spec.input),
    )
    .expect("rows");
    let x = table.matrix(&[0, 1, 2]);
    assert_eq!(x.nrows(), 4);
    let p = model.predict_proba(&x).expect("proba");
    for (j, r) in answer["results"]
        .as_array()
        .expect("rows")
        .iter()
        .enumerate()
    {
        let probabilities: Vec<f64> = p.column(j).to_vec();
        assert_eq!(
            r["probabilities"],
            json!([1.0 - probabilities[0], probabilities[0]]),
            "{r}"
        );
    }
}

/// 200 rows of `x1,x2,y` with `y = 3 x1 - x2 + 0.5`, numbers with fractions: a regression
/// table, as `dnn train` reads it by default.
fn regression_csv() -> String {
    let mut csv = String::from("x1,x2,y\n");
    for j in 0..200 {
        let x1 = ((j * 37) % 101) as f64 / 25.0 - 2.0;
        let x2 = ((j * 53) % 97) as f64 / 24.0 - 2.0;
        csv += &format!("{x1},{x2},{}\n", 3.0 * x1 - x2 + 0.5);
    }
    csv
}

/// The Train view trains a regression table (`--data`) as `dnn train` trains it: the data set
/// is listed as a number to predict, with an identity output and no decision boundary; the
/// cost streams; the outcome has `dnn train`'s R², RMSE and MAE (the same numbers, and its
/// printed lines), and the download is the model `dnn train --save` writes (but for the
/// named `--arch`, which the page has not), predicting what `dnn predict` does with it. A
/// regression model (from `dnn train`, and its safetensors export) is inspected as one (its
/// target and scale, no classes) and predicts each row's number in the target's units, as
/// the model file's `predict_values` gives it.
#[test]
fn a_regression_table_trains_as_dnn_train_trains_it_and_a_regression_model_predicts_numbers() {
    let dir = empty_dir();
    std::fs::write(dir.path().join("T.csv"), regression_csv()).expect("csv");
    let server = Server::start(dir.path(), dir.path(), &["--data", "T.csv"]);
    let list = get(&server.url("/api/datasets")).json();
    let mine = &list[4];
    assert_eq!(
        (&mine["task"], &mine["target"], &mine["classes"]),
        (&json!("regress"), &json!("y"), &json!([])),
        "{mine}"
    );
    let description = mine["description"].as_str().expect("description");
    assert!(
        description.contains("a shuffled 0.2 test split")
            && description.contains("Target: y, a number to predict"),
        "{description}"
    );
    // Two columns, but no classes: no points to draw under a boundary.
    assert!(mine.get("points").is_none(), "{mine}");
    assert_eq!(mine["preset"]["output"], "identity", "{mine}");
    assert_eq!(mine["preset"]["layers"], json!([2, 16, 8, 1]), "{mine}");
    let set_up = json!({"dataset": "data", "layers": [2, 8, 1], "hidden": "relu",
                        "output": "identity", "init": "he", "seed": 3, "optimizer": "adam",
                        "learning_rate": 0.01, "batch_size": 32, "iterations": 20});
    for (output, says) in [
        ("sigmoid", "choose identity"),
        ("softmax", "choose identity"),
        ("linear", "choose identity"),
    ] {
        let mut wrong = set_up.clone();
        wrong["output"] = json!(output);
        let refused = post_json(&server.url("/api/train"), &wrong).one_line_error(400);
        assert!(refused.contains(says), "{output}: {refused}");
    }
    assert_eq!(post_json(&server.url("/api/train"), &set_up).status, 202);
    let updates = events(&server, Duration::from_secs(120), |_| {});
    let done = outcome(&updates);
    assert_eq!(points(&updates).len(), 20, "one cost per epoch");
    assert!(updates.iter().all(|u| u["boundary"].is_null()));
    assert_eq!(
        (
            &done["train_accuracy"],
            &done["test_accuracy"],
            &done["model"]
        ),
        (&Value::Null, &Value::Null, &json!(true)),
        "{done}"
    );
    let scores = &done["regression"];
    assert_eq!(scores["target"], "y", "{done}");

    // `dnn train` with the same set-up, as flags.
    let train = common::dnn_in(
        dir.path(),
        &[
            "train",
            "--data",
            "T.csv",
            "--hidden",
            "8",
            "--init",
            "he",
            "--seed",
            "3",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.01",
            "--batch-size",
            "32",
            "--epochs",
            "20",
            "-q",
            "--save",
            "M.h5",
            "--report",
            "R.json",
        ],
    );
    assert_eq!(train.code, Some(0), "{}", train.stderr);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("R.json")).expect("the report"),
    )
    .expect("JSON");
    // The same numbers to the last bit, and the lines `dnn train` prints.
    for part in ["train", "test"] {
        assert_eq!(scores[part], report["regression"][part], "{part}: {done}");
        let line = scores[format!("{part}_line")].as_str().expect("line");
        assert!(
            train.stdout.lines().any(|l| l == line),
            "{line:?} not in {}",
            train.stdout
        );
    }
    assert!(
        scores["train"]["r2"].as_f64() > Some(0.95),
        "a straight line is learnt: {scores}"
    );

    // The download is `dnn train --save`'s model: the same network, spec and set-up.
    let served = downloaded(&server, &dir.path().join("served.h5"));
    let mut saved = load_model(dir.path().join("M.h5")).expect("dnn train's model");
    assert_eq!(saved.setup.arch.as_deref(), Some("deep"));
    saved.setup.arch = None;
    assert_eq!(served, saved);
    // It predicts what `dnn predict` gives with dnn train's model, here and in the page.
    let rows = "x1,x2\n0.5,-1\n2,3\n-1.25,0\n1.1,1.7\n";
    std::fs::write(dir.path().join("rows.csv"), rows).expect("rows");
    let predicted = |model: &str| {
        let run = common::dnn_in(dir.path(), &["predict", "--model", model, "rows.csv"]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        run.stdout
    };
    let by_cli = predicted("M.h5");
    assert_eq!(predicted("served.h5"), by_cli);
    let answer = post(
        &server.url("/api/predict?model=trained"),
        "text/csv",
        rows.as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let values: Vec<f64> = by_cli
        .lines()
        .skip(1)
        .map(|l| {
            l.split_once(',')
                .expect("row,y")
                .1
                .parse()
                .expect("a number")
        })
        .collect();
    let page: Vec<f64> = answer.json()["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["value"].as_f64().expect("value"))
        .collect();
    assert_eq!((by_cli.lines().next(), page), (Some("row,y"), values));
    // A run that diverges leaves no model, and takes none away: the last good run's stays
    // offered, named as that run's.
    let mut diverging = set_up.clone();
    diverging["learning_rate"] = json!(1e308);
    assert_eq!(post_json(&server.url("/api/train"), &diverging).status, 202);
    let failed = outcome(&events(&server, Duration::from_secs(120), |_| {}));
    assert_eq!(failed["model"], json!(false), "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .is_some_and(|e| e.contains("try a smaller learning rate than 1e308")),
        "{failed}"
    );
    let kept = failed["offered_run"]
        .as_u64()
        .expect("the earlier run's model");
    let models = get(&server.url("/api/models")).json();
    assert_eq!(models["trained"]["run"], json!(kept), "{models}");
    let url = format!("/api/models/trained/model.h5?run={kept}");
    assert_eq!(get(&server.url(&url)).status, 200);
    drop(server);

    let export = common::dnn_in(
        dir.path(),
        &[
            "export",
            "--model",
            "M.h5",
            "--format",
            "safetensors",
            "--output",
            "M.safetensors",
        ],
    );
    assert_eq!(export.code, Some(0), "{}", export.stderr);
    let model = load_model(dir.path().join("M.h5")).expect("the model");
    let scale = model
        .spec
        .as_ref()
        .and_then(|s| s.regression)
        .expect("a regression model");
    // Columns in another order than the model's: they are taken by name.
    let rows = [(0.5, -1.0), (2.0, 3.0), (-1.25, 0.0)];
    let mut upload = String::from("x2,x1\n");
    for (x1, x2) in rows {
        upload += &format!("{x2},{x1}\n");
    }
    let x =
        ndarray::Array2::from_shape_fn(
            (2, rows.len()),
            |(i, j)| {
                if i == 0 {
                    rows[j].0
                } else {
                    rows[j].1
                }
            },
        );
    let expected = model.predict_values(&x).expect("values");

    for file in ["M.h5", "M.safetensors"] {
        let server = Server::start(dir.path(), dir.path(), &["--model", file]);
        let listed = get(&server.url("/api/models")).json();
        let inspected = get(&server.url("/api/models/file")).json();
        for m in [&listed["file"], &inspected] {
            assert_eq!(m["task"], "regress", "{file}: {m}");
            assert_eq!(m["classes"], json!([]), "{file}: {m}");
            assert_eq!(
                m["regression"],
                json!({"target": "y", "mean": scale.mean, "std": scale.std}),
                "{file}: {m}"
            );
            assert_eq!(m["layer_sizes"], json!([2, 8, 1]), "{file}: {m}");
            assert_eq!(m["activations"][1], "identity", "{file}: {m}");
            assert_eq!(m["columns"], json!(["x1", "x2"]), "{file}: {m}");
        }
        assert!(inspected["units"].as_array().expect("units").is_empty());

        let answer = post(&server.url("/api/predict"), "text/csv", upload.as_bytes());
        assert_eq!(answer.status, 200, "{file}: {}", answer.text());
        let answer = answer.json();
        assert_eq!(answer["task"], "regress", "{answer}");
        assert_eq!(answer["target"], "y", "{answer}");
        assert_eq!(answer["warnings"], json!([]), "{answer}");
        let results = answer["results"].as_array().expect("results");
        assert_eq!(results.len(), rows.len(), "{answer}");
        for (j, r) in results.iter().enumerate() {
            assert_eq!(r["row"], j + 1, "{r}");
            assert_eq!(r["value"].as_f64(), Some(expected[j]), "{file}: {r}");
            for absent in ["class", "probability", "probabilities"] {
                assert!(r.get(absent).is_none(), "{file}: {r}");
            }
            let (x1, x2) = rows[j];
            let truth = 3.0 * x1 - x2 + 0.5;
            assert!((expected[j] - truth).abs() < 2.0, "{truth}: {r}");
        }
        let missing =
            post(&server.url("/api/predict"), "text/csv", b"x1,z\n1,2\n").one_line_error(400);
        assert!(missing.contains("`x2`"), "{missing}");
        // A row far beyond the training data: its value beyond f64's range is sent as the
        // text dnn predict writes (JSON has no infinity), with dnn predict's warning.
        let far = post(
            &server.url("/api/predict"),
            "text/csv",
            b"x1,x2\n1,1\n1.7e308,0\n",
        )
        .json();
        let value = &far["results"][1]["value"];
        assert!(value == "inf" || value == "-inf", "{file}: {far}");
        assert!(far["results"][0]["value"].is_f64(), "{far}");
        assert!(
            far["warnings"][0].as_str().is_some_and(|w| w.starts_with(
                "1 row is predicted as a number beyond f64's range (the first: row 2,"
            )),
            "{far}"
        );
        // There is no trained model: Predict says how to get one, and nothing panicked.
        get(&server.url("/api/models/trained")).one_line_error(404);
        let (code, stderr) = server.interrupt(Duration::from_secs(5));
        assert_eq!(code, Some(130), "{file}: {stderr}");
        assert_eq!(stderr, "", "{file}");
    }
}

/// `dnn train`'s flags of the early-stopping run below, after `train --data blobs.csv
/// --target kind`.
const EARLY_STOPPING_FLAGS: [&str; 20] = [
    "--hidden",
    "64,64",
    "--init",
    "he",
    "--seed",
    "1",
    "--optimizer",
    "adam",
    "--learning-rate",
    "0.01",
    "--batch-size",
    "16",
    "--epochs",
    "300",
    "--early-stopping",
    "--patience",
    "8",
    "--print-every",
    "1",
    "-q",
];

/// The Train view holds out a validation part and stops early as `dnn train --early-stopping`
/// does, on the overlapping blobs that `tests/cli/early_stopping.rs` shows a wide network
/// overfits: every streamed point carries the validation cost, equal to the one `dnn train`
/// reports for that epoch; the outcome has `dnn train`'s best epoch, stopping epoch,
/// validation cost, accuracies and lines (the held-out line and the `Early stopping:`
/// sentence); and the download is the model `dnn train --save` writes, best epoch's
/// parameters and all. Bad validation fields are refused with one line naming the field.
#[test]
fn early_stopping_in_the_page_keeps_the_best_epoch_and_gives_dnn_trains_numbers() {
    let dir = empty_dir();
    fixtures::write_blobs_csv(&dir.path().join("blobs.csv"), 300, 1.5);
    let server = Server::start(
        dir.path(),
        dir.path(),
        &["--data", "blobs.csv", "--target", "kind"],
    );
    let set_up = json!({"dataset": "data", "layers": [3, 64, 64, 3], "hidden": "relu",
                        "output": "softmax", "init": "he", "seed": 1, "optimizer": "adam",
                        "learning_rate": 0.01, "batch_size": 16, "iterations": 300,
                        "early_stopping": true, "patience": 8});
    for (field, value, says) in [
        (
            "validation_split",
            json!(1.5),
            "validation_split: 1.5 is not a usable validation split; it must be a fraction in (0, 1)",
        ),
        ("validation_split", json!(0), "validation_split: 0 is not"),
        (
            "validation_split",
            json!(0.999),
            "validation_split: blobs.csv: the training part: a stratified validation split of 0.999 of 240 examples leaves 0 training",
        ),
        ("patience", json!(0), "patience: must be at least 1"),
        (
            "patience",
            json!(-3),
            "patience: `-3` is not usable; give a whole number of at least 1",
        ),
        ("min_delta", json!(-0.5), "min_delta: -0.5 is not usable here; it must be a finite number ≥ 0"),
        (
            "early_stopping",
            json!("yes"),
            "early_stopping: the text \"yes\" is not usable; give true or false",
        ),
    ] {
        let mut wrong = set_up.clone();
        wrong[field] = value.clone();
        let refused = post_json(&server.url("/api/train"), &wrong).one_line_error(400);
        assert!(refused.contains(says), "{field} {value}: {refused}");
    }
    let mut off = set_up.clone();
    off["early_stopping"] = json!(false);
    let refused = post_json(&server.url("/api/train"), &off).one_line_error(400);
    assert_eq!(
        refused,
        "patience: 8 is early stopping's, which is off; set early_stopping to true, or leave patience out"
    );
    assert_eq!(
        get(&server.url("/api/train")).json(),
        Value::Null,
        "nothing ran"
    );

    assert_eq!(post_json(&server.url("/api/train"), &set_up).status, 202);
    let updates = events(&server, Duration::from_secs(120), |_| {});
    let done = outcome(&updates);
    let streamed: Vec<Vec<f64>> = updates
        .iter()
        .flat_map(|u| u["points"].as_array().expect("points").clone())
        .map(|p| {
            p.as_array()
                .expect("a point")
                .iter()
                .map(|v| v.as_f64().expect("a number"))
                .collect()
        })
        .collect();
    assert!(
        streamed.iter().all(|p| p.len() == 3),
        "{:?}",
        &streamed[..2]
    );

    // `dnn train` with the same set-up, as flags.
    let mut args = vec!["train", "--data", "blobs.csv", "--target", "kind"];
    args.extend(EARLY_STOPPING_FLAGS);
    args.extend(["--save", "M.h5", "--report", "R.json"]);
    let train = common::dnn_in(dir.path(), &args);
    assert_eq!(train.code, Some(0), "{}", train.stderr);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("R.json")).expect("the report"),
    )
    .expect("JSON");
    let by_cli = &report["validation"];
    let served = &done["validation"];
    println!("dnn train: {by_cli}\nthe page: {served}");
    // It stopped early: the epochs run are those `dnn train` ran, well short of 300.
    let stopped = by_cli["early_stopping"]["stopped_at"]
        .as_u64()
        .expect("dnn train stopped early") as usize;
    let best = by_cli["best"][0].as_u64().expect("a best epoch") as usize;
    assert_eq!(
        (stopped, by_cli["early_stopping"]["restored"].clone()),
        (best + 8, json!(true))
    );
    assert!(stopped < 299, "{by_cli}");
    assert_eq!(streamed.len(), stopped + 1);
    assert_eq!(
        (&done["iterations_run"], &done["stopped"]),
        (&report["iterations_run"], &json!(false)),
        "early stopping is not a Stop: {done}"
    );
    // The same examples held out, best epoch and its cost, stopping epoch and validation
    // accuracy, to the last bit; the last epoch's validation cost is the one streamed.
    for key in [
        "examples",
        "fraction",
        "seed",
        "best",
        "early_stopping",
        "accuracy",
    ] {
        assert_eq!(served[key], by_cli[key], "{key}");
    }
    let last = by_cli["costs"]
        .as_array()
        .expect("costs")
        .last()
        .expect("one")
        .clone();
    assert_eq!(served["costs"], json!([last]));
    assert_eq!(last[0], stopped);
    // Every epoch's training and validation cost (`--print-every 1`: the report has them all).
    let costs = report["costs"].as_array().expect("costs");
    assert_eq!(costs.len(), streamed.len());
    for (c, v) in costs.iter().zip(by_cli["costs"].as_array().expect("costs")) {
        let epoch = c[0].as_u64().expect("epoch") as usize;
        assert_eq!(c[0], v[0]);
        let point = &streamed[epoch];
        assert_eq!(
            (point[0], point[1], point[2]),
            (
                epoch as f64,
                c[1].as_f64().expect("cost"),
                v[1].as_f64().expect("cost")
            ),
            "epoch {epoch}"
        );
    }
    assert_eq!(
        (&done["train_accuracy"], &done["test_accuracy"]),
        (&report["train_accuracy"], &report["test_accuracy"])
    );
    assert_eq!(report["data"]["train_examples"], 216);
    // The lines are those `dnn train` prints.
    for key in ["held_out_line", "line", "stopping_line"] {
        let line = served[key].as_str().expect(key);
        assert!(
            train.stdout.lines().any(|l| l == line),
            "{line:?} not in {}",
            train.stdout
        );
    }
    assert!(
        served["stopping_line"].as_str().is_some_and(|l| l
            .starts_with(&format!("Early stopping: stopped after epoch {stopped}, "))
            && l.contains(&format!("kept the parameters of epoch {best}, "))),
        "{served}"
    );

    // The download is `dnn train --save`'s model: the best epoch's parameters, and a set-up
    // that records the split, the patience and the best epoch's count and cost.
    let served_model = downloaded(&server, &dir.path().join("served.h5"));
    let mut saved = load_model(dir.path().join("M.h5")).expect("dnn train's model");
    assert_eq!(
        (
            saved.setup.iterations_run,
            saved.setup.validation_split,
            saved.setup.patience,
            saved.setup.min_delta
        ),
        (Some(best as u64 + 1), Some(0.1), Some(8), Some(0.0))
    );
    saved.setup.arch = None;
    assert_eq!(served_model, saved);
}

/// A regression with a validation part and no early stopping (`dnn train --validation-split
/// 0.25`): every point carries the validation cost, the outcome has `dnn train`'s validation
/// R², RMSE and MAE and its `Validation R²: ...` line, no stopping line, and the download is
/// `dnn train --save`'s model, which records the split and no patience.
#[test]
fn a_regression_watched_on_a_validation_part_is_scored_there_as_dnn_train_scores_it() {
    let dir = empty_dir();
    std::fs::write(dir.path().join("T.csv"), regression_csv()).expect("csv");
    let server = Server::start(dir.path(), dir.path(), &["--data", "T.csv"]);
    let set_up = json!({"dataset": "data", "layers": [2, 8, 1], "hidden": "relu",
                        "output": "identity", "init": "he", "seed": 3, "optimizer": "adam",
                        "learning_rate": 0.01, "batch_size": 32, "iterations": 20,
                        "validation_split": 0.25});
    assert_eq!(post_json(&server.url("/api/train"), &set_up).status, 202);
    let updates = events(&server, Duration::from_secs(120), |_| {});
    let done = outcome(&updates);
    let streamed: Vec<Value> = updates
        .iter()
        .flat_map(|u| u["points"].as_array().expect("points").clone())
        .collect();
    assert_eq!(streamed.len(), 20);
    assert!(streamed
        .iter()
        .all(|p| p.as_array().map(Vec::len) == Some(3)));
    let train = common::dnn_in(
        dir.path(),
        &[
            "train",
            "--data",
            "T.csv",
            "--hidden",
            "8",
            "--init",
            "he",
            "--seed",
            "3",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.01",
            "--batch-size",
            "32",
            "--epochs",
            "20",
            "--validation-split",
            "0.25",
            "-q",
            "--save",
            "M.h5",
            "--report",
            "R.json",
        ],
    );
    assert_eq!(train.code, Some(0), "{}", train.stderr);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("R.json")).expect("the report"),
    )
    .expect("JSON");
    let (served, by_cli) = (&done["validation"], &report["validation"]);
    // 160 training rows, a quarter held out (ShuffleSplit: 40).
    assert_eq!(served["examples"], 40, "{served}");
    for key in ["examples", "fraction", "seed", "best", "regression"] {
        assert_eq!(served[key], by_cli[key], "{key}");
    }
    assert!(served.get("early_stopping").is_none(), "{served}");
    assert_eq!(served["stopping_line"], Value::Null, "{served}");
    assert_eq!(served["costs"][0][1], streamed[19][2], "{served}");
    assert_eq!(done["regression"]["train"], report["regression"]["train"]);
    for line in [&served["line"], &served["held_out_line"]] {
        let line = line.as_str().expect("a line");
        assert!(
            train.stdout.lines().any(|l| l == line),
            "{line:?} not in {}",
            train.stdout
        );
    }
    assert!(
        served["line"]
            .as_str()
            .is_some_and(|l| l.starts_with("Validation R²: ")),
        "{served}"
    );
    let served_model = downloaded(&server, &dir.path().join("served.h5"));
    let mut saved = load_model(dir.path().join("M.h5")).expect("dnn train's model");
    assert_eq!(
        (saved.setup.validation_split, saved.setup.patience),
        (Some(0.25), None)
    );
    saved.setup.arch = None;
    assert_eq!(served_model, saved);
}
