//! `dnn serve` for the tests: the real binary on a free port, its address read from its
//! first line, an HTTP client that returns every status (4xx and 5xx included), and the
//! server-sent events of a training run.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running `dnn serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    stderr: Option<JoinHandle<String>>,
    stdout: Option<JoinHandle<String>>,
}

impl Server {
    /// Starts `dnn serve --port 0 ARGS` in `dir`, with the cat set looked for in `data_dir`,
    /// and waits for the address it prints.
    pub fn start(dir: &Path, data_dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(dir)
            .env("DNN_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dnn serve");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut err = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let mut first = String::new();
        let _ = out.read_line(&mut first);
        let stdout = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(|w| w.trim_end_matches('/').to_owned());
        let Some(base) = base else {
            let _ = child.wait();
            panic!(
                "dnn serve {args:?} printed no address: {first:?}; stderr: {}",
                stderr.join().unwrap_or_default()
            );
        };
        Server {
            child,
            base,
            stderr: Some(stderr),
            stdout: Some(stdout),
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `host:port`.
    pub fn authority(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Sends Ctrl-C (SIGINT) and waits up to `limit` for the exit: its code and stderr.
    pub fn interrupt(mut self, limit: Duration) -> (Option<i32>, String) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                started.elapsed() < limit,
                "dnn serve did not exit within {limit:?} of Ctrl-C"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = self
            .stderr
            .take()
            .expect("stderr")
            .join()
            .unwrap_or_default();
        (status.code(), stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(out) = self.stdout.take() {
            let _ = out.join();
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the status and that the body is one line of text; returns it.
    pub fn one_line_error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(
            self.content_type.starts_with("text/plain"),
            "{}",
            self.content_type
        );
        let text = self.text();
        assert_eq!(text.trim_end().lines().count(), 1, "{text:?}");
        assert!(text.trim().len() > 12, "says too little: {text:?}");
        text.trim().to_owned()
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut r = r.expect("HTTP request");
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    Answer {
        status: r.status().as_u16(),
        content_type: r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        headers,
        body: r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .expect("body"),
    }
}

/// `GET url`.
pub fn get(url: &str) -> Answer {
    answer(agent(Duration::from_secs(30)).get(url).call())
}

/// `POST url` with `body` of `content_type`.
pub fn post(url: &str, content_type: &str, body: &[u8]) -> Answer {
    answer(
        agent(Duration::from_secs(60))
            .post(url)
            .header("content-type", content_type)
            .send(body),
    )
}

/// `POST url` with a JSON body.
pub fn post_json(url: &str, body: &serde_json::Value) -> Answer {
    post(url, "application/json", body.to_string().as_bytes())
}

/// `POST url` without a body.
pub fn post_empty(url: &str) -> Answer {
    answer(agent(Duration::from_secs(30)).post(url).send_empty())
}

/// One `update` event of a run's stream, and when it arrived.
#[derive(Debug, Clone)]
pub struct Update {
    pub at: Duration,
    pub data: serde_json::Value,
}

/// Reads `GET /api/train/events` until the stream ends (after the outcome) or `limit`
/// passes; calls `each` on every update as it arrives.
pub fn events(server: &Server, limit: Duration, mut each: impl FnMut(&Update)) -> Vec<Update> {
    let response = agent(limit)
        .get(&server.url("/api/train/events"))
        .call()
        .expect("events");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let started = Instant::now();
    let reader = BufReader::new(response.into_body().into_reader());
    let mut out = Vec::new();
    let mut event = String::new();
    for line in reader.lines() {
        let Ok(line) = line else { break };
        if let Some(name) = line.strip_prefix("event:") {
            event = name.trim().to_owned();
        } else if let Some(data) = line.strip_prefix("data:") {
            assert_eq!(event, "update", "unexpected event {event:?}");
            let update = Update {
                at: started.elapsed(),
                data: serde_json::from_str(data.trim()).expect("event data is JSON"),
            };
            each(&update);
            out.push(update);
        }
    }
    out
}

/// The model the server's last run trained, as the page downloads it (`GET
/// /api/models/trained/model.h5`), written to `path` and read back.
pub fn downloaded(server: &Server, path: &Path) -> dnn_data::model::Model {
    let file = get(&server.url("/api/models/trained/model.h5"));
    assert_eq!(file.status, 200, "{}", file.text());
    std::fs::write(path, &file.body).expect("write the download");
    dnn_data::model::load_model(path).expect("the download")
}

/// The outcome that ends a run's stream (its last update's `done`).
pub fn outcome(updates: &[Update]) -> serde_json::Value {
    let last = updates.last().expect("at least one update");
    assert!(
        last.data["done"].is_object(),
        "the stream ended without an outcome"
    );
    last.data["done"].clone()
}

/// Sends `request` (a whole HTTP/1.1 request, as is) on a new connection; returns the final
/// status and body. For paths that an HTTP client would tidy up first, and headers it
/// would not send.
pub fn raw(server: &Server, request: &str) -> (u16, String) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(server.authority()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(request.as_bytes()).expect("send");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    // Skip interim answers (`100 Continue`).
    while reply.starts_with("HTTP/1.1 1") {
        match reply.split_once("\r\n\r\n") {
            Some((_, rest)) => reply = rest.to_owned(),
            None => break,
        }
    }
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    (status, body)
}
