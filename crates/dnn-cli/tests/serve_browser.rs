//! `dnn serve` in a real browser: Debian's headless Chromium, driven through chromedriver
//! (WebDriver) by fantoccini. The test loads the page, uploads a cat picture and reads the
//! prediction, looks at the model's first-layer units, trains on the flower and watches the
//! cost curve's points grow and the accuracy appear; then trains on a small CSV table (the
//! `--data` set) and predicts rows with the model just trained, checks that no view scrolls
//! sideways at a phone's width (375 px), and stops a run from a second tab that did not start
//! it; trains the table again with early stopping and sees the validation curve and the
//! stopping line, and with class weights sees the balanced accuracy; last, it trains a
//! regression table and reads its R². It saves screenshots under
//! `target/tmp/serve-browser/`.
//!
//! Chromium and chromedriver come from `cargo xtask setup` (Debian's `chromium` and
//! `chromium-driver`). Without them this test fails and says so; it never skips.

#[path = "cli/common.rs"]
mod common;
#[path = "cli/server.rs"]
mod server;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dnn_data::CatDataset;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use server::Server;

/// Chromium as the machine notes run it headless: no sandbox (root), no GPU, and none of
/// the background connections a closed network refuses.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];
/// The flower run the test watches: long enough to be seen growing, a few seconds at most.
const FLOWER_ITERATIONS: usize = 30_000;
/// The longest the test waits for any one thing.
const PATIENCE: Duration = Duration::from_secs(20);
/// A phone's viewport width, in CSS pixels.
const PHONE_WIDTH: u64 = 375;
/// The run stopped from the second tab: far longer than the test waits.
const LONG_RUN: usize = 1_000_000;

/// `program` on PATH or in /usr/bin.
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Chromium and chromedriver, or a failure that says how to get them.
fn browser() -> (PathBuf, PathBuf) {
    match (find("chromium"), find("chromedriver")) {
        (Some(chromium), Some(driver)) => (chromium, driver),
        (chromium, driver) => panic!(
            "the browser test needs Chromium and ChromeDriver (found: chromium {chromium:?}, \
             chromedriver {driver:?}, looked on PATH and in /usr/bin); run `cargo xtask setup`, \
             which installs Debian's chromium and chromium-driver"
        ),
    }
}

/// chromedriver on a free port, ended when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(program: &Path, log: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // A process group of its own, which the browsers it starts join: dropping the
        // driver (a failed assertion included) ends them all, not only chromedriver.
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the group that `start` made, whose leader is our child (not yet
        // waited for, so its id is not reused).
        unsafe { libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Clicks the element with id `id` (a tab, a button).
async fn click(client: &Client, id: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click #{id}: {e}"));
}

/// Chooses the option `value` of the list with id `id`, as a user would.
async fn choose(client: &Client, id: &str, value: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value:?} in #{id}: {e}"));
}

/// Replaces the text of the input with id `id` by `text`, as a user would type it.
async fn type_into(client: &Client, id: &str, text: &str) {
    let input = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
    input
        .clear()
        .await
        .unwrap_or_else(|e| panic!("clear #{id}: {e}"));
    input
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
}

/// Chooses the file `path` in the Predict view's file input.
async fn upload(client: &Client, path: &Path) {
    client
        .find(Locator::Id("predict-files"))
        .await
        .expect("file input")
        .send_keys(path.to_str().expect("utf-8"))
        .await
        .expect("choose the file");
}

/// A small iris-like table (4 measurements, a text column of two gardens, a column of the
/// dates they were planted, 3 species, 20 rows each): the `--data` set.
fn iris_like(path: &Path) {
    let centres = [
        ("setosa", [5.0, 3.4, 1.5, 0.2]),
        ("versicolor", [5.9, 2.8, 4.3, 1.3]),
        ("virginica", [6.6, 3.0, 5.6, 2.0]),
    ];
    let mut csv =
        String::from("sepal_length,sepal_width,petal_length,petal_width,garden,planted,species\n");
    for i in 0..60usize {
        let (species, centre) = centres[i % 3];
        let row: Vec<String> = centre
            .iter()
            .enumerate()
            .map(|(j, c)| format!("{:.2}", c + ((i * 37 + j * 11) % 13) as f64 / 40.0 - 0.15))
            .collect();
        let garden = ["north", "south"][i % 2];
        let planted = format!("{:02}/04/2024", i % 28 + 1);
        csv.push_str(&format!("{},{garden},{planted},{species}\n", row.join(",")));
    }
    std::fs::write(path, csv).expect("write the CSV");
}

/// A regression table: 200 houses' `size,rooms,price`, the price a linear function of the
/// other two with some noise (numbers with fractions: a number to predict).
fn regression_table(path: &Path) {
    let mut csv = String::from("size,rooms,price\n");
    for j in 0..200usize {
        let size = 50.0 + ((j * 37) % 101) as f64 * 1.5;
        let rooms = 1.0 + ((j * 53) % 7) as f64;
        let noise = ((j * 29) % 11) as f64 - 5.0;
        let price = 1000.0 * size + 5000.0 * rooms + 300.0 * noise + 0.25;
        csv.push_str(&format!("{size},{rooms},{price}\n"));
    }
    std::fs::write(path, csv).expect("write the CSV");
}

/// Makes the viewport `width` CSS pixels wide (the window's frame, if any, added).
async fn viewport_width(client: &Client, width: u64) {
    client
        .set_window_size(width as u32, 900)
        .await
        .expect("window size");
    let inner = js(client, "return window.innerWidth;").await.as_u64();
    if let Some(inner) = inner.filter(|&w| w != width) {
        client
            .set_window_size((2 * width).saturating_sub(inner) as u32, 900)
            .await
            .expect("window size");
    }
    let inner = js(client, "return window.innerWidth;").await;
    assert_eq!(inner, json!(width), "the viewport's width");
}

/// Runs `script` in the page and returns its value.
async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Waits until `script` returns something truthy; returns it.
async fn until(client: &Client, what: &str, script: &str) -> Value {
    let started = Instant::now();
    loop {
        let v = js(client, script).await;
        if !(v.is_null() || v == json!(false) || v == json!("")) {
            return v;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-browser");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    let path = dir.join(name);
    let png = client.screenshot().await.expect("screenshot");
    dnn_data::atomic::write_atomically(&path, &png).expect("save the screenshot");
    println!("screenshot: {}", path.display());
    path
}

/// The published cat model (`dnn train`'s defaults) and the first cat of the test set as a
/// PNG, in `dir`.
fn cat_model_and_picture(dir: &Path, data: &Path) -> (PathBuf, PathBuf) {
    let trained = common::dnn_in(
        dir,
        &[
            "train",
            "-q",
            "--data",
            data.to_str().expect("utf-8"),
            "--save",
            "cat.h5",
        ],
    );
    assert_eq!(trained.code, Some(0), "{}", trained.stderr);
    let set = CatDataset::<f64>::load(data).expect("the cat set");
    let k = (0..set.test_len())
        .find(|&j| set.test_y[[0, j]] == 1.0)
        .expect("a cat in the test set");
    let picture = dir.join("a-cat.png");
    let pixels: Vec<u8> = set
        .test_images
        .slice(ndarray::s![k, .., .., ..])
        .iter()
        .copied()
        .collect();
    image::save_buffer(&picture, &pixels, 64, 64, image::ColorType::Rgb8).expect("png");
    (dir.join("cat.h5"), picture)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_predicts_and_trains_in_a_real_browser() {
    let (chromium, chromedriver) = browser();
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = common::data_dir();
    let (model, picture) = cat_model_and_picture(dir.path(), &data);
    let iris = dir.path().join("iris.csv");
    iris_like(&iris);
    let rows_csv = dir.path().join("rows.csv");
    std::fs::write(
        &rows_csv,
        "sepal_length,sepal_width,petal_length,petal_width,garden,planted\n\
         5.0,3.4,1.5,0.2,north,01/04/2024\n5.9,2.8,4.3,1.3,west,02/04/2024\n\
         6.6,3.0,5.6,2.0,south,30/04/2024\n",
    )
    .expect("write the rows");
    let server = Server::start(
        dir.path(),
        &data,
        &[
            "--model",
            model.to_str().expect("utf-8"),
            "--data",
            iris.to_str().expect("utf-8"),
        ],
    );
    let driver = Driver::start(&chromedriver, &dir.path().join("chromedriver.log"));
    let profile = dir.path().join("chromium-profile");
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    // Downloads land in a folder of the test's, without asking.
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads folder");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": args,
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
            },
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session through chromedriver");

    // The page loads, with its data sets.
    client.goto(&server.url("/")).await.expect("load the page");
    assert_eq!(client.title().await.expect("title"), "dnn serve");
    until(
        &client,
        "the data sets",
        "return document.getElementById('dataset').options.length >= 5",
    )
    .await;
    // Started with --data, the page opens on that data set, with the page's suggestion.
    let opened = js(
        &client,
        "return [document.getElementById('dataset').value,
                 document.getElementById('defaults').textContent];",
    )
    .await;
    assert_eq!(opened, json!(["data", "Suggested set-up"]));

    // Predict: a picture chosen with the file input; the verdict and the picture seen.
    click(&client, "tab-predict").await;
    until(
        &client,
        "the model list",
        "return document.getElementById('predict-model').value",
    )
    .await;
    upload(&client, &picture).await;
    let verdict = until(
        &client,
        "the prediction",
        "const li = document.querySelector('#predictions li');
         const c = li && li.querySelector('.class'), p = li && li.querySelector('.probability');
         const img = li && li.querySelector('img.seen');
         return c && p && img && img.complete && img.naturalWidth > 0
           ? [c.textContent, p.textContent, img.naturalWidth, img.naturalHeight] : null;",
    )
    .await;
    let predicted = common::dnn_in(dir.path(), &["predict", "--model", "cat.h5", "a-cat.png"]);
    let printed = predicted.stdout.trim();
    // dnn predict: "a-cat.png: cat (probability of cat: 0.9797)".
    let class = verdict[0].as_str().expect("class");
    assert!(
        printed.contains(&format!(": {class} (")),
        "page {verdict}, dnn predict {printed}"
    );
    assert_eq!(verdict[2], 64);
    assert_eq!(verdict[3], 64);
    println!("prediction in the page: {} {}", verdict[0], verdict[1]);
    screenshot(&client, "predict.png").await;

    // Inspect: the model file's layer sizes and set-up, its 20 first-layer units drawn.
    click(&client, "tab-inspect").await;
    choose(&client, "inspect-model", "file").await;
    let units = until(
        &client,
        "the first-layer units",
        "const imgs = [...document.querySelectorAll('#units img')];
         return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth === 64)
           ? imgs.length : null;",
    )
    .await;
    assert_eq!(units, 20);
    let rows = js(
        &client,
        "return Object.fromEntries([...document.querySelectorAll('#model-table tr')]
           .map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));",
    )
    .await;
    assert_eq!(rows["Layer sizes"], "12288, 20, 7, 5, 1", "{rows}");
    assert_eq!(rows["Learning rate"], "0.0075", "{rows}");
    assert_eq!(rows["Iterations"], "2500 of 2500", "{rows}");
    screenshot(&client, "inspect.png").await;

    // Train: the flower, the cost curve growing, the boundary, the accuracies.
    click(&client, "tab-train").await;
    choose(&client, "dataset", "flower").await;
    type_into(&client, "iterations", &FLOWER_ITERATIONS.to_string()).await;
    // A learning rate that is no number is refused in the page, naming the field; a decimal
    // comma is read as a point.
    type_into(&client, "learning-rate", "abc").await;
    click(&client, "start").await;
    let refused = js(
        &client,
        "const rate = document.getElementById('learning-rate');
         return [document.getElementById('train-status').textContent,
                 rate.getAttribute('aria-invalid'), document.activeElement === rate];",
    )
    .await;
    assert!(
        refused[0].as_str().is_some_and(|s| s.starts_with(
            "Learning rate: `abc` is not usable; give a finite number greater than 0"
        )),
        "{refused}"
    );
    assert_eq!((&refused[1], &refused[2]), (&json!("true"), &json!(true)));
    assert_eq!(server::get(&server.url("/api/train")).json(), Value::Null);
    // The flower has two classes: the Output list offers sigmoid only (softmax is refused).
    let outputs = js(
        &client,
        "return [...document.getElementById('output').options].filter((o) => !o.disabled)
           .map((o) => o.value);",
    )
    .await;
    assert_eq!(outputs, json!(["sigmoid"]));
    // A set-up only the server can check (the input size): its field is marked as the page's
    // own checks mark theirs.
    type_into(&client, "learning-rate", "1,2").await;
    type_into(&client, "layers", "3,4,1").await;
    click(&client, "start").await;
    let marked = until(
        &client,
        "the server's refusal marked on Layers",
        "const l = document.getElementById('layers');
         const s = document.getElementById('train-status').textContent;
         return s.startsWith('layers:') && [s, l.getAttribute('aria-invalid'),
           document.activeElement === l];",
    )
    .await;
    assert_eq!(
        (&marked[1], &marked[2]),
        (&json!("true"), &json!(true)),
        "{marked}"
    );
    type_into(&client, "layers", "2,4,1").await;
    click(&client, "start").await;
    let mut seen: Vec<u64> = Vec::new();
    let watch = Instant::now();
    loop {
        let state = js(
            &client,
            "return [Number(document.getElementById('cost').dataset.points),
                     !document.getElementById('results').hidden];",
        )
        .await;
        let points = state[0].as_u64().expect("points");
        if seen.last() != Some(&points) {
            seen.push(points);
        }
        if state[1] == json!(true) {
            break;
        }
        assert!(
            watch.elapsed() < PATIENCE,
            "the training did not end; points seen {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    println!("cost curve points seen while training: {seen:?}");
    let growing: Vec<u64> = seen
        .iter()
        .copied()
        .filter(|&n| n > 0 && n < FLOWER_ITERATIONS as u64)
        .collect();
    assert!(growing.len() >= 2, "the curve did not grow live: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&(FLOWER_ITERATIONS as u64)));
    let shown = js(
        &client,
        "return [document.getElementById('train-accuracy').textContent,
                 document.getElementById('test-accuracy').textContent];",
    )
    .await;
    let run = server::get(&server.url("/api/train")).json();
    let outcome = &run["outcome"];
    // Truncated to hundredths, as the page shows them (0.999999 is 99.99 %, not 100.00 %).
    let percent = |key: &str| {
        let hundredths = (outcome[key].as_f64().expect(key) * 10000.0 + 1e-9).floor();
        format!("{:.2} %", hundredths / 100.0)
    };
    assert_eq!(
        shown,
        json!([percent("train_accuracy"), percent("test_accuracy")])
    );
    println!(
        "accuracies in the page: train {} test {}",
        shown[0], shown[1]
    );
    // The boundary is drawn: both regions' colours are on the canvas.
    let colours = js(
        &client,
        "const c = document.getElementById('boundary');
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         let red = 0, blue = 0;
         for (let i = 0; i < d.length; i += 4) {
           if (d[i] > d[i + 2] + 30) red++; else if (d[i + 2] > d[i] + 30) blue++;
         }
         return [red, blue];",
    )
    .await;
    assert!(
        colours[0].as_u64() > Some(1000) && colours[1].as_u64() > Some(1000),
        "{colours}"
    );
    // What the charts show is said to those who cannot see them.
    let labels = js(
        &client,
        "return [document.getElementById('cost').getAttribute('aria-label'),
                 document.getElementById('boundary').getAttribute('role'),
                 document.getElementById('predictions').getAttribute('aria-live')];",
    )
    .await;
    assert!(
        labels[0].as_str().is_some_and(
            |l| l.starts_with("Cost chart of run 1: iteration 30,000 of 30,000, cost ")
        ),
        "{labels}"
    );
    assert_eq!((&labels[1], &labels[2]), (&json!("img"), &json!("polite")));
    let shot = screenshot(&client, "train.png").await;
    assert!(std::fs::metadata(&shot).expect("screenshot").len() > 10_000);

    // Back in Predict, the model list has the network just trained beside the file's.
    click(&client, "tab-predict").await;
    let listed = until(
        &client,
        "the trained model in the list",
        "const o = [...document.getElementById('predict-model').options];
         return o.length === 2 ? o.map((x) => [x.value, x.dataset.kind]) : null;",
    )
    .await;
    assert_eq!(listed, json!([["trained", "points"], ["file", "picture"]]));
    let selected = js(
        &client,
        "return document.getElementById('predict-model').value",
    )
    .await;
    assert_eq!(
        selected, "trained",
        "the model just trained is the one chosen"
    );

    // Inspect, with the trained model chosen and at once the file's again: the two answers
    // overlap, and only the last choice is drawn, once.
    click(&client, "tab-inspect").await;
    choose(&client, "inspect-model", "trained").await;
    choose(&client, "inspect-model", "file").await;
    let drawn = until(
        &client,
        "the file's model drawn again",
        "const imgs = [...document.querySelectorAll('#units img')];
         const sizes = [...document.querySelectorAll('#model-table tr')]
           .filter((tr) => tr.cells[0].textContent === 'Layer sizes');
         return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth === 64)
           && sizes.some((tr) => tr.cells[1].textContent === '12288, 20, 7, 5, 1')
           ? [imgs.length, sizes.length] : null;",
    )
    .await;
    // What a slower answer to the first choice would add comes after the last one's.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let settled = js(
        &client,
        "return [document.querySelectorAll('#units img').length,
                 [...document.querySelectorAll('#model-table tr')]
                   .filter((tr) => tr.cells[0].textContent === 'Layer sizes').length];",
    )
    .await;
    assert_eq!((drawn, settled), (json!([20, 1]), json!([20, 1])));

    // A run on the CSV table (--data) while the picture model file is the one chosen in
    // Predict: afterwards Predict and Inspect have the model just trained, and a CSV of rows
    // is predicted by it.
    click(&client, "tab-predict").await;
    choose(&client, "predict-model", "file").await;
    click(&client, "tab-train").await;
    choose(&client, "dataset", "data").await;
    // Three species: softmax only.
    let outputs = js(
        &client,
        "return [...document.getElementById('output').options].filter((o) => !o.disabled)
           .map((o) => o.value);",
    )
    .await;
    assert_eq!(outputs, json!(["softmax"]));
    type_into(&client, "iterations", "40").await;
    click(&client, "start").await;
    let title = until(
        &client,
        "the end of the run on the table",
        "const title = document.getElementById('results-title').textContent;
         return !document.getElementById('results').hidden && title.includes('iris')
           ? title : null;",
    )
    .await;
    assert_eq!(
        title, "Last run: iris.csv",
        "the results name their data set"
    );
    click(&client, "tab-predict").await;
    let chosen = until(
        &client,
        "the table model in Predict and Inspect",
        "const p = document.getElementById('predict-model');
         const i = document.getElementById('inspect-model');
         const o = p.selectedOptions[0];
         return o && o.dataset.kind === 'table'
           ? [p.value, i.value, o.dataset.kind] : null;",
    )
    .await;
    assert_eq!(chosen, json!(["trained", "trained", "table"]));
    let table_run = js(
        &client,
        "return document.getElementById('predict-model').selectedOptions[0].dataset.run",
    )
    .await;
    // Two files chosen at once: their results in the order chosen.
    let copy = dir.path().join("rows-again.csv");
    std::fs::copy(&rows_csv, &copy).expect("copy the rows");
    client
        .find(Locator::Id("predict-files"))
        .await
        .expect("file input")
        .send_keys(&format!("{}\n{}", rows_csv.display(), copy.display()))
        .await
        .expect("choose the files");
    let order = js(
        &client,
        "return [...document.querySelectorAll('#predictions li .name')].slice(0, 2)
           .map((n) => n.textContent);",
    )
    .await;
    assert_eq!(order, json!(["rows.csv", "rows-again.csv"]));
    let predicted = until(
        &client,
        "the rows' predictions",
        "const li = document.querySelector('#predictions li');
         const error = li && li.querySelector('.error');
         if (error) return ['error', error.textContent];
         const cells = li ? [...li.querySelectorAll('td.class')] : [];
         return cells.length > 0 ? cells.map((c) => c.textContent) : null;",
    )
    .await;
    println!("the table model's verdicts in the page: {predicted}");
    let classes = predicted.as_array().expect("verdicts");
    assert_eq!(classes.len(), 3, "{predicted}");
    assert!(
        classes
            .iter()
            .all(|c| ["setosa", "versicolor", "virginica"].contains(&c.as_str().unwrap_or(""))),
        "{predicted}"
    );
    // A garden the model never met is warned about, as `dnn predict` warns.
    let warning = js(
        &client,
        "const w = document.querySelector('#predictions li .warning');
         return w ? w.textContent : null;",
    )
    .await;
    assert_eq!(
        warning,
        json!(
            "warning: column `garden`: 1 row has a value the model was not trained on \
             (the first: `west`, row 2); it counts as none of its values"
        )
    );
    // The page's CSV of every row is what `dnn predict --output` writes for the same model,
    // downloaded from the page, and the same rows.
    let link = js(
        &client,
        "const a = document.querySelector('#predictions li a.download');
         return a ? [a.download, a.textContent] : null;",
    )
    .await;
    assert_eq!(
        link,
        json!(["predictions.csv", "Download all 3 predictions (CSV)"])
    );
    client
        .find(Locator::Css("#predictions li a.download"))
        .await
        .expect("the download link")
        .click()
        .await
        .expect("click the download link");
    let downloaded = downloads.join("predictions.csv");
    let waiting = Instant::now();
    // Chromium first reserves the name with an empty file and writes `.crdownload` beside
    // it, then moves that over the name (a CI run once read the empty placeholder).
    let partial = downloads.join("predictions.csv.crdownload");
    while !downloaded.is_file()
        || partial.exists()
        || std::fs::metadata(&downloaded).map_or(0, |m| m.len()) == 0
    {
        assert!(waiting.elapsed() < PATIENCE, "no {}", downloaded.display());
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let page_csv = std::fs::read_to_string(&downloaded).expect("the downloaded CSV");
    // Each result says which model answered.
    let by = js(
        &client,
        "return document.querySelector('#predictions li .by').textContent",
    )
    .await;
    assert_eq!(
        by,
        json!(format!(
            "by the model run {}, trained here on iris.csv",
            table_run.as_str().expect("run")
        ))
    );
    let model = dir.path().join("trained-in-page.h5");
    std::fs::write(
        &model,
        server::get(&server.url("/api/models/trained/model.h5")).body,
    )
    .expect("the trained model");
    let cli = common::dnn_in(
        dir.path(),
        &[
            "predict",
            "--model",
            "trained-in-page.h5",
            "--output",
            "cli-predictions.csv",
            "rows.csv",
        ],
    );
    assert_eq!(cli.code, Some(0), "{cli:?}");
    let cli_csv = std::fs::read_to_string(dir.path().join("cli-predictions.csv")).expect("csv");
    assert_eq!(page_csv, cli_csv);
    // Another client trains the table again: when its run ends, this idle page lists the new
    // model (no reload), and its own run's Download says that model is gone.
    let mut again = server::get(&server.url("/api/datasets")).json()[4]["preset"].clone();
    again["iterations"] = json!(5);
    let other = server::post_json(&server.url("/api/train"), &again).json();
    let other_run = other["id"].as_u64().expect("run id");
    let relisted = until(
        &client,
        "the other client's model listed",
        &format!(
            "const o = document.getElementById('predict-model').selectedOptions[0];
             return o && o.dataset.run === '{other_run}' && o.textContent;"
        ),
    )
    .await;
    assert!(
        relisted.as_str().is_some_and(|l| l.starts_with(&format!(
            "Trained: run {other_run}, trained here on iris.csv"
        ))),
        "{relisted}"
    );
    click(&client, "tab-train").await;
    click(&client, "download").await;
    let refused = until(
        &client,
        "the download of the replaced model refused",
        "const n = document.getElementById('results-note').textContent;
         return n.includes('is gone') && [n, document.getElementById('download').hidden];",
    )
    .await;
    assert_eq!(
        refused,
        json!([
            format!(
                "The model of run {} is gone: run {other_run} has replaced it; Predict and Inspect now have run {other_run}'s.",
                table_run.as_str().expect("run")
            ),
            true
        ])
    );
    click(&client, "tab-predict").await;
    // Another data set chosen: the results stay, marked as the last run of another set.
    click(&client, "tab-train").await;
    choose(&client, "dataset", "flower").await;
    let marked = js(
        &client,
        "return [document.getElementById('results-title').textContent,
                 document.getElementById('cost').dataset.points];",
    )
    .await;
    assert_eq!(
        marked,
        json!(["Last run: iris.csv (not the data set chosen)", "0"])
    );
    choose(&client, "dataset", "data").await;

    // A phone's width: one column, nothing wider than the screen, in every view.
    viewport_width(&client, PHONE_WIDTH).await;
    click(&client, "tab-inspect").await;
    until(
        &client,
        "the trained model in Inspect",
        "return [...document.querySelectorAll('#model-table th')]
           .some((th) => th.textContent === 'Columns')",
    )
    .await;
    // The table model's text column and its values, as the file records them.
    let text_columns = js(
        &client,
        "const row = [...document.querySelectorAll('#model-table tr')]
           .find((tr) => tr.querySelector('th').textContent === 'Text columns');
         return row ? row.querySelector('td').textContent : null;",
    )
    .await;
    assert_eq!(text_columns, json!("garden (north, south)"));
    // Its column of dates: day first, as a day above 12 tells, and the inputs it makes.
    let dates = js(
        &client,
        "const row = [...document.querySelectorAll('#model-table tr')]
           .find((tr) => tr.querySelector('th').textContent === 'Dates');
         return row ? row.querySelector('td').textContent : null;",
    )
    .await;
    assert_eq!(
        dates,
        json!("planted (day/month/year: year, month, day, weekday, day_of_year)")
    );
    for view in ["train", "predict", "inspect"] {
        click(&client, &format!("tab-{view}")).await;
        let widths = js(
            &client,
            "const canvas = document.getElementById('cost');
             const root = document.documentElement;
             return [root.scrollWidth, document.body.scrollWidth,
                     Math.round(canvas.getBoundingClientRect().width), canvas.width,
                     root.clientWidth];",
        )
        .await;
        println!("{view} at {PHONE_WIDTH} px: scroll widths, cost canvas shown and drawn {widths}");
        // Nothing wider than the viewport, nor than the part beside the vertical scroll bar.
        let limit = widths[4].as_u64().expect("client width").min(PHONE_WIDTH);
        for k in 0..2 {
            let w = widths[k].as_u64().expect("a width");
            assert!(
                w <= limit,
                "the {view} view is {w} px wide at a {PHONE_WIDTH} px viewport: {widths}"
            );
        }
        if view == "train" {
            // The canvas is drawn at its own resolution and shown at the column's width.
            assert_eq!(widths[3], 520);
            assert!(widths[2].as_u64() < Some(PHONE_WIDTH), "{widths}");
        }
        screenshot(&client, &format!("phone-{view}.png")).await;
    }
    client
        .set_window_size(1280, 900)
        .await
        .expect("window size");
    click(&client, "tab-train").await;

    // Two tabs: B is open (and idle) when A starts a long run. B's Start is refused by the
    // server (one run at a time); B then follows that run, and its Stop ends it.
    let tab_a = client.window().await.expect("this tab");
    let tab_b = client.new_window(true).await.expect("a second tab").handle;
    client
        .switch_to_window(tab_b.clone())
        .await
        .expect("to tab B");
    client.goto(&server.url("/")).await.expect("load in tab B");
    until(
        &client,
        "tab B's data sets",
        "return document.getElementById('dataset').options.length >= 5
           && !document.getElementById('start').disabled",
    )
    .await;
    client
        .switch_to_window(tab_a.clone())
        .await
        .expect("to tab A");
    choose(&client, "dataset", "flower").await;
    type_into(&client, "iterations", &LONG_RUN.to_string()).await;
    click(&client, "start").await;
    until(
        &client,
        "tab A's run",
        "return document.getElementById('train-status').textContent.includes(' of 1,000,000,')",
    )
    .await;
    // Another data set chosen during the run: the run's curve and boundary stay shown.
    choose(&client, "dataset", "data").await;
    let live = until(
        &client,
        "the flower run still shown",
        "const points = Number(document.getElementById('cost').dataset.points);
         return points > 0 && [!document.getElementById('boundary-figure').hidden,
           document.getElementById('run-title').textContent];",
    )
    .await;
    assert_eq!(live, json!([true, "Running on Flower"]));
    client
        .switch_to_window(tab_b.clone())
        .await
        .expect("to tab B");
    let idle = js(&client, "return document.getElementById('stop').disabled").await;
    assert_eq!(idle, json!(true), "tab B knows of no run yet");
    click(&client, "start").await;
    let following = until(
        &client,
        "tab B following tab A's run, Stop enabled",
        "return !document.getElementById('stop').disabled
           && Number(document.getElementById('cost').dataset.points) > 0
           && document.getElementById('run-title').textContent",
    )
    .await;
    assert_eq!(
        following, "Running on Flower (started in another tab or client)",
        "{following}"
    );
    screenshot(&client, "second-tab.png").await;
    click(&client, "stop").await;
    let stopped_b = until(
        &client,
        "the run stopped from tab B",
        "const s = document.getElementById('train-status').textContent;
         return s.startsWith('Stopped after') ? s : null;",
    )
    .await;
    println!("tab B: {stopped_b}");
    let run = server::get(&server.url("/api/train")).json();
    assert_eq!(run["outcome"]["stopped"], json!(true), "{run}");
    assert!(
        run["outcome"]["iterations_run"].as_u64() < Some(LONG_RUN as u64),
        "{run}"
    );
    client
        .switch_to_window(tab_a.clone())
        .await
        .expect("to tab A");
    let stopped_a = until(
        &client,
        "the stop seen in tab A",
        "const s = document.getElementById('train-status').textContent;
         return s.startsWith('Stopped after') && !document.getElementById('start').disabled
           ? s : null;",
    )
    .await;
    assert_eq!(stopped_a, stopped_b);

    // Early stopping on the table (--data): a patience of 0 is refused in the page, naming
    // the field; then the run holds out a validation part, its cost is drawn as a second curve
    // with a legend, and the results end with `dnn train`'s validation and stopping lines.
    choose(&client, "dataset", "data").await;
    let off = js(
        &client,
        "return [document.getElementById('early-stopping').checked,
                 document.getElementById('patience').disabled,
                 document.getElementById('validation-split').placeholder];",
    )
    .await;
    assert_eq!(off, json!([false, true, "none"]), "off by default");
    click(&client, "early-stopping").await;
    let on = js(
        &client,
        "return [document.getElementById('patience').value,
                 document.getElementById('min-delta').value,
                 document.getElementById('patience').disabled,
                 document.getElementById('validation-split').placeholder];",
    )
    .await;
    assert_eq!(on, json!(["10", "0", false, "0.1"]), "dnn train's defaults");
    type_into(&client, "patience", "0").await;
    click(&client, "start").await;
    let refused = js(
        &client,
        "const p = document.getElementById('patience');
         return [document.getElementById('train-status').textContent,
                 p.getAttribute('aria-invalid'), document.activeElement === p];",
    )
    .await;
    assert!(
        refused[0]
            .as_str()
            .is_some_and(|s| s.starts_with("Patience: give a whole number from 1 to")),
        "{refused}"
    );
    assert_eq!((&refused[1], &refused[2]), (&json!("true"), &json!(true)));
    type_into(&client, "patience", "5").await;
    // A fall of less than 0.01 restarts no patience: the cost soon stops falling by that
    // much. A decimal comma is read as a point, as in the learning rate.
    type_into(&client, "min-delta", "0,01").await;
    click(&client, "start").await;
    let ended = until(
        &client,
        "the stopping line",
        "const line = document.getElementById('stopping-line');
         return !document.getElementById('results').hidden && !line.hidden
           && document.getElementById('results-title').textContent === 'Last run: iris.csv'
           ? line.textContent : null;",
    )
    .await;
    let run = server::get(&server.url("/api/train")).json();
    let validation = &run["outcome"]["validation"];
    assert_eq!(run["setup"]["early_stopping"], json!(true), "{run}");
    assert_eq!(
        (&run["setup"]["patience"], &run["setup"]["min_delta"]),
        (&json!(5), &json!(0.01)),
        "{run}"
    );
    assert_eq!(ended, validation["stopping_line"], "{run}");
    assert!(
        ended
            .as_str()
            .is_some_and(|s| s.starts_with("Early stopping: stopped after epoch ")),
        "{ended}"
    );
    let hundredths = (validation["accuracy"].as_f64().expect("accuracy") * 10000.0 + 1e-9).floor();
    // The canvas is drawn in an animation frame after the results show: wait for both
    // curves (the assertions below still say what a chart that never comes looks like).
    let chart = until(
        &client,
        "the training and validation curves drawn",
        "const c = document.getElementById('cost');
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         // The training curve's blue (42, 91, 215) and the validation curve's orange
         // (217, 115, 13), drawn antialiased: the pixel columns that have pixels near each.
         // A curve spans the epochs run; the dashed line at the epoch kept is one column.
         const blue = new Set(), orange = new Set();
         for (let i = 0; i < d.length; i += 4) {
           if (d[i + 3] < 200) continue;
           const x = (i / 4) % c.width;
           if (d[i + 2] > 150 && d[i] < 120) blue.add(x);
           if (d[i] > 170 && d[i + 1] > 70 && d[i + 1] < 160 && d[i + 2] < 90) orange.add(x);
         }
         if (blue.size <= 100 || orange.size <= 100) return null;
         return [Number(c.dataset.points), Number(c.dataset.validationPoints),
                 !document.getElementById('cost-legend').hidden, blue.size, orange.size,
                 document.getElementById('validation-accuracy').textContent,
                 document.getElementById('held-out-line').textContent];",
    )
    .await;
    println!("early stopping in the page: {ended}; the chart {chart}");
    let ran = run["outcome"]["iterations_run"]
        .as_u64()
        .expect("epochs run");
    assert_eq!(
        (&chart[0], &chart[1], &chart[2]),
        (&json!(ran), &json!(ran), &json!(true))
    );
    assert!(
        chart[3].as_u64() > Some(100) && chart[4].as_u64() > Some(100),
        "two curves: {chart}"
    );
    assert_eq!(chart[5], json!(format!("{:.2} %", hundredths / 100.0)));
    assert_eq!(chart[6], validation["held_out_line"]);
    screenshot(&client, "train-early-stopping.png").await;

    // Class weights on the table: a class name the data lacks is refused by the server,
    // naming the field; weights that train end the results with `dnn train`'s balanced
    // accuracy and weights lines, and Inspect lists the model's weights.
    type_into(&client, "class-weight", "rose=2").await;
    click(&client, "start").await;
    let refused = until(
        &client,
        "the class weights refused",
        "const s = document.getElementById('train-status').textContent;
         const f = document.getElementById('class-weight');
         return s.startsWith('class_weight names')
           ? [s, f.getAttribute('aria-invalid'), document.activeElement === f] : null;",
    )
    .await;
    assert_eq!(
        refused,
        json!([
            "class_weight names `rose`, which is not one of the data's classes; they are \
             `setosa`, `versicolor`, `virginica`",
            "true",
            true
        ])
    );
    type_into(&client, "class-weight", "virginica=3").await;
    click(&client, "start").await;
    let weighted = until(
        &client,
        "the balanced accuracy",
        "const b = document.getElementById('balanced-line');
         return !document.getElementById('results').hidden && !b.hidden
           ? [b.textContent, document.getElementById('class-weights-line').textContent,
              document.getElementById('class-weights-warnings').hidden] : null;",
    )
    .await;
    let run = server::get(&server.url("/api/train")).json();
    let weights = &run["outcome"]["class_weights"];
    assert_eq!(run["setup"]["class_weight"], "virginica=3", "{run}");
    assert_eq!(weights["weights"], json!([1.0, 1.0, 3.0]), "{run}");
    assert_eq!(
        weighted,
        json!([
            run["outcome"]["balanced_accuracy"]["line"],
            weights["line"],
            true
        ]),
        "{run}"
    );
    assert!(
        weighted[0]
            .as_str()
            .is_some_and(|s| s.starts_with("Balanced accuracy (the mean of the classes' recalls")),
        "{weighted}"
    );
    screenshot(&client, "train-class-weights.png").await;
    click(&client, "tab-inspect").await;
    choose(&client, "inspect-model", "trained").await;
    let listed = until(
        &client,
        "the class weights in Inspect",
        "const row = [...document.querySelectorAll('#model-table tr')]
           .find((tr) => tr.querySelector('th').textContent === 'Class weights');
         return row ? row.querySelector('td').textContent : null;",
    )
    .await;
    assert_eq!(listed, json!("setosa 1, versicolor 1, virginica 3"));
    // Predict says how to read such a model's probabilities.
    click(&client, "tab-predict").await;
    choose(&client, "predict-model", "trained").await;
    let hint = js(
        &client,
        "return document.getElementById('predict-hint').textContent;",
    )
    .await;
    assert!(
        hint.as_str().is_some_and(|h| h.ends_with(
            "It was trained with class weights: its probabilities lean to the classes weighed \
             up, so read them as scores, not frequencies."
        )),
        "{hint}"
    );
    click(&client, "tab-train").await;

    // A regression table (`--data` whose target is a number): the page offers only the
    // identity output, draws no boundary, and ends with R², RMSE and MAE, as `dnn train`
    // prints them, where a classifier has its accuracies.
    let houses = dir.path().join("houses.csv");
    regression_table(&houses);
    let regression = Server::start(
        dir.path(),
        &data,
        &["--data", houses.to_str().expect("utf-8")],
    );
    client
        .goto(&regression.url("/"))
        .await
        .expect("load the regression page");
    let offered = until(
        &client,
        "the regression data set",
        "const d = document.getElementById('dataset');
         return d.value === 'data' && [d.selectedOptions[0].textContent,
           [...document.getElementById('output').options].filter((o) => !o.disabled)
             .map((o) => o.value), document.getElementById('output').value,
           document.getElementById('boundary-figure').hidden,
           getComputedStyle(document.getElementById('class-weight-field')).display];",
    )
    .await;
    // A regression has no classes to weigh: the field is not offered.
    assert_eq!(
        offered,
        json!([
            "houses.csv (predicts price, a number)",
            ["identity"],
            "identity",
            true,
            "none"
        ])
    );
    type_into(&client, "iterations", "30").await;
    click(&client, "start").await;
    let shown = until(
        &client,
        "the regression's scores",
        "const r = document.getElementById('results');
         return !r.hidden && !document.getElementById('train-scores').hidden
           && [document.getElementById('train-scores').textContent,
               document.getElementById('test-scores').textContent,
               document.getElementById('train-accuracy-line').hidden,
               document.getElementById('boundary-figure').hidden];",
    )
    .await;
    let run = server::get(&regression.url("/api/train")).json();
    let scores = &run["outcome"]["regression"];
    assert_eq!(
        shown,
        json!([scores["train_line"], scores["test_line"], true, true]),
        "{run}"
    );
    assert!(
        shown[0]
            .as_str()
            .is_some_and(|s| s.starts_with("Train R²: 0.9")),
        "{shown}"
    );
    println!("regression scores in the page: {shown}");
    screenshot(&client, "train-regression.png").await;
    client.close().await.expect("close the browser");
    drop(driver);
    println!("browser test took {:.1} s", started.elapsed().as_secs_f64());
}
