//! `dnn serve` with several clients, and with clients it must not serve: a refused start
//! costs nothing and names the run's unit; the Host and Origin checks; each trained model
//! named by its run, which requests pin (410 once replaced); a failed run keeps the last good
//! model; and set-up errors in one line that name the field and what it takes.

use crate::server;

use std::time::Duration;

use serde_json::{json, Value};
use server::{events, get, post, post_empty, post_json, raw, Server};

fn flower(iterations: usize) -> Value {
    json!({"dataset": "flower", "layers": [2, 4, 1], "hidden": "tanh", "output": "sigmoid",
           "init": "small", "seed": 2, "optimizer": "gd", "learning_rate": 1.2,
           "iterations": iterations})
}

/// Trains `setup` to its end; its outcome.
fn trained(server: &Server, setup: &Value) -> Value {
    let started = post_json(&server.url("/api/train"), setup);
    assert_eq!(started.status, 202, "{}", started.text());
    let updates = events(server, Duration::from_secs(60), |_| {});
    updates.last().expect("an update").data["done"].clone()
}

#[test]
fn a_refused_start_does_no_work_names_epochs_and_concurrent_starts_get_one_202() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), dir.path(), &[]);
    // A mini-batch run (epochs), far longer than the test.
    let mut moons = json!({"dataset": "moons", "layers": [2, 5, 2, 1], "hidden": "relu",
        "output": "sigmoid", "init": "he", "seed": 3, "optimizer": "adam",
        "learning_rate": 0.0007, "batch_size": 64, "iterations": 1_000_000});
    assert_eq!(post_json(&server.url("/api/train"), &moons).status, 202);
    let mut refusal = String::new();
    events(&server, Duration::from_secs(60), |u| {
        let seen = u.data["points"].as_array().map_or(0, Vec::len);
        if refusal.is_empty() && seen > 0 {
            // A set-up that checking would refuse (400) is refused as busy (409): "a run is
            // going on" comes before any work on the set-up (which copies the training part).
            moons["learning_rate"] = json!(-1);
            refusal = post_json(&server.url("/api/train"), &moons).one_line_error(409);
            let done: u64 = refusal
                .split(", ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no count in {refusal}"));
            // The count is the training thread's own, not the log's (filled every 100 ms).
            assert!(done >= seen as u64, "{done} < {seen}: {refusal}");
            assert_eq!(post_empty(&server.url("/api/train/stop")).status, 202);
        }
    });
    assert!(
        refusal.starts_with("a training is already running (run 1 on Moons, ")
            && refusal.ends_with(" of 1000000 epochs done); stop it first"),
        "{refusal}"
    );
    // Twelve starts at once: one 202, eleven 409.
    let url = server.url("/api/train");
    let long = flower(1_000_000);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let asks: Vec<_> = (0..12)
            .map(|_| s.spawn(|| post_json(&url, &long).status))
            .collect();
        asks.into_iter()
            .map(|a| a.join().expect("thread"))
            .collect()
    });
    let mut counted = [0; 2];
    for status in &statuses {
        match status {
            202 => counted[0] += 1,
            409 => counted[1] += 1,
            other => panic!("status {other}: {statuses:?}"),
        }
    }
    assert_eq!(counted, [1, 11], "{statuses:?}");
    assert_eq!(post_empty(&server.url("/api/train/stop")).status, 202);
}

/// `(status, body)` of `method path` with these extra header lines.
fn ask(server: &Server, method: &str, path: &str, headers: &str) -> (u16, String) {
    raw(
        server,
        &format!(
            "{method} {path} HTTP/1.1\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
}

#[test]
fn only_this_servers_host_is_answered_and_only_its_own_page_changes_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), dir.path(), &[]);
    let port = server
        .authority()
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    for host in [
        server.authority().to_owned(),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, body) = ask(
            &server,
            "GET",
            "/api/datasets",
            &format!("Host: {host}\r\n"),
        );
        assert_eq!(status, 200, "{host}: {body}");
    }
    // DNS rebinding: another name for this address, whose page would read the API.
    let (status, body) = ask(
        &server,
        "GET",
        "/api/datasets",
        &format!("Host: attacker.example:{port}\r\n"),
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(body.trim_end().lines().count(), 1, "{body:?}");
    assert!(
        body.starts_with(&format!("the request is for `attacker.example:{port}`, which is not this server; dnn serve answers requests for localhost, 127.0.0.1 or [::1] with port {port}")),
        "{body}"
    );
    // Another page's POST (fetch with mode no-cors sends its Origin) stops nothing; the
    // page's own, and a client without an Origin, get the answer (409: nothing runs).
    let host = format!("Host: {}\r\n", server.authority());
    let (status, body) = ask(
        &server,
        "POST",
        "/api/train/stop",
        &format!("{host}Origin: http://127.0.0.1:47830\r\n"),
    );
    assert_eq!(status, 403, "{body}");
    assert!(
        body.starts_with("POST from the web page at `http://127.0.0.1:47830` is refused"),
        "{body}"
    );
    for origin in [
        format!("Origin: http://{}\r\n", server.authority()),
        String::new(),
    ] {
        let (status, body) = ask(
            &server,
            "POST",
            "/api/train/stop",
            &format!("{host}{origin}"),
        );
        assert_eq!(status, 409, "{origin}: {body}");
    }
    // Reading with another Origin is the browser's to withhold (no CORS header is sent).
    let (status, _) = ask(
        &server,
        "GET",
        "/api/datasets",
        &format!("{host}Origin: http://127.0.0.1:47830\r\n"),
    );
    assert_eq!(status, 200);

    // Listening on every address: any IP address of the machine is this server, a name is not.
    let everywhere = Server::start(dir.path(), dir.path(), &["--host", "0.0.0.0"]);
    let port = everywhere
        .authority()
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    let (status, body) = ask(
        &everywhere,
        "GET",
        "/",
        &format!("Host: 10.1.2.3:{port}\r\n"),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = ask(
        &everywhere,
        "GET",
        "/",
        &format!("Host: mybox.local:{port}\r\n"),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("any IP address of this machine"), "{body}");
}

#[test]
fn each_model_is_named_by_its_run_requests_pin_it_and_a_failed_run_keeps_the_last_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), dir.path(), &[]);
    let first = trained(&server, &flower(10));
    assert_eq!(first["offered_run"], 1, "{first}");
    let models = get(&server.url("/api/models")).json();
    assert_eq!(models["trained"]["run"], 1);
    assert_eq!(models["trained"]["name"], "run 1, trained here on Flower");
    let predict = server.url("/api/predict?model=trained&run=1");
    let answer = post(&predict, "text/csv", b"x1,x2\n0.5,1\n");
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        (&answer.json()["run"], &answer.json()["model"]),
        (&json!(1), &json!("run 1, trained here on Flower"))
    );
    // Run 2 replaces it: what names run 1 is refused, and says why.
    trained(&server, &flower(20));
    let gone = post(&predict, "text/csv", b"x1,x2\n0.5,1\n").one_line_error(410);
    assert_eq!(
        gone,
        "the model of run 1 is gone: run 2 has replaced it; choose the model again in the \
         list (reload the page if it is not there)"
    );
    for path in [
        "/api/models/trained?run=1",
        "/api/models/trained/model.h5?run=1",
    ] {
        get(&server.url(path)).one_line_error(410);
    }
    assert_eq!(
        get(&server.url("/api/models/trained/model.h5?run=2")).status,
        200
    );
    // A diverged run keeps no model and takes none away: run 2's is still offered.
    let mut wild = flower(50);
    wild["learning_rate"] = json!(1e30);
    let failed = trained(&server, &wild);
    assert!(
        failed["error"]
            .as_str()
            .is_some_and(|e| e.contains("diverged")),
        "{failed}"
    );
    assert_eq!(
        (&failed["model"], &failed["offered_run"]),
        (&json!(false), &json!(2))
    );
    assert_eq!(get(&server.url("/api/models")).json()["trained"]["run"], 2);
    assert_eq!(
        get(&server.url("/api/models/trained/model.h5?run=2")).status,
        200
    );
    // Query mistakes in one line, naming the field.
    let twice = post(
        &server.url("/api/predict?model=trained&model=file"),
        "text/csv",
        b"x1,x2\n0.5,1\n",
    )
    .one_line_error(400);
    assert!(
        twice.starts_with("the query: `model` is given twice; give it once; ask as ?model=file"),
        "{twice}"
    );
    let bad = get(&server.url("/api/models/trained?run=abc")).one_line_error(400);
    assert!(bad.starts_with("run: `abc` is not a run number"), "{bad}");
}

#[test]
fn set_up_errors_name_the_field_and_what_it_takes_in_the_servers_own_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), dir.path(), &[]);
    let url = server.url("/api/train");
    for (key, value, says) in [
        (
            "batch_size",
            "99999999999999999999",
            "the training set-up: batch_size: `1e+20` is not usable; give a whole number of at least 1, or null for full batch",
        ),
        (
            "learning_rate",
            "1e400",
            "the training set-up: learning_rate: the number is out of range; give a finite number greater than 0, e.g. 0.01",
        ),
        (
            "validation_split",
            "\"a tenth\"",
            "the training set-up: validation_split: the text \"a tenth\" is not usable; give a fraction between 0 and 1, e.g. 0.1, or null for none",
        ),
    ] {
        // The field replaced by its raw JSON text (which serde_json's Value cannot hold).
        let mut setup = flower(10);
        setup.as_object_mut().expect("object").remove(key);
        let mut text = setup.to_string();
        text.insert_str(text.len() - 1, &format!(",\"{key}\":{value}"));
        let answer = post(&url, "application/json", text.as_bytes()).one_line_error(400);
        assert!(answer.starts_with(says), "{key}: {answer}");
        assert!(!answer.contains(" at line "), "{answer}");
    }
    let mut deep = flower(10);
    deep["layers"] = json!(vec![1; 101]);
    deep["layers"][0] = json!(2);
    let says = post_json(&url, &deep).one_line_error(400);
    assert_eq!(
        says,
        "layers: 101 sizes is too many; give at most 100 (input and output included)"
    );
    // With early stopping the result gives the cost of the model kept (the parameters put
    // back), which is what its file records.
    let watched = json!({"dataset": "moons", "layers": [2, 5, 2, 1], "hidden": "relu",
        "output": "sigmoid", "init": "he", "seed": 3, "optimizer": "adam",
        "learning_rate": 0.01, "batch_size": 64, "iterations": 3000,
        "validation_split": 0.2, "early_stopping": true, "patience": 5});
    let done = trained(&server, &watched);
    let setup = &get(&server.url("/api/models/trained")).json()["setup"];
    assert_eq!(
        (&done["kept_iterations"], &done["kept_cost"]),
        (&setup["iterations_run"], &setup["final_cost"]),
        "{done}"
    );
    assert!(
        done["kept_iterations"].as_u64() < done["iterations_run"].as_u64(),
        "early stopping put earlier parameters back: {done}"
    );
    assert_ne!(done["kept_cost"], done["final_cost"], "{done}");
}

#[test]
fn stop_ends_a_run_inside_a_long_epoch_after_the_mini_batch_under_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 40,000 rows at one row a batch through [20, 512, 512, 1]: one epoch takes seconds to
    // minutes, far longer than a Stop sent half a second after the start takes to answer.
    let mut table = (0..20).map(|i| format!("x{i},")).collect::<String>() + "y\n";
    for r in 0..40_000u32 {
        for i in 0..20u32 {
            table.push_str(&format!("{},", (r * 7 + i * 13) % 101));
        }
        table.push_str(if r % 3 == 0 { "a\n" } else { "b\n" });
    }
    std::fs::write(dir.path().join("long.csv"), table).expect("csv");
    let server = Server::start(dir.path(), dir.path(), &["--data", "long.csv"]);
    let setup = json!({"dataset": "data", "layers": [20, 512, 512, 1], "hidden": "relu",
        "output": "sigmoid", "init": "he", "seed": 1, "optimizer": "gd",
        "learning_rate": 0.001, "batch_size": 1, "iterations": 1});
    let started = std::time::Instant::now();
    assert_eq!(post_json(&server.url("/api/train"), &setup).status, 202);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(post_empty(&server.url("/api/train/stop")).status, 202);
    let updates = events(&server, Duration::from_secs(120), |_| {});
    let done = &updates.last().expect("the outcome").data["done"];
    // Stopped inside its only epoch: no epoch completed, and the model offered holds the
    // batches that ran. Waiting for the epoch's end would have completed it.
    assert_eq!(done["stopped"], true, "{done}");
    assert_eq!(done["iterations_run"], 0, "{done}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
