//! Tests of the fetch logic against a real HTTP server on 127.0.0.1 started by each test.
//! Nothing here touches the real `data/` directory or the internet.

use super::*;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// What the test server answers for one path.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    /// The Content-Length to announce; `None` announces the real length.
    announce_len: Option<usize>,
}

impl Reply {
    fn ok(body: &[u8]) -> Reply {
        Reply {
            status: 200,
            body: body.to_vec(),
            announce_len: None,
        }
    }
    fn status(status: u16) -> Reply {
        Reply {
            status,
            body: b"not here".to_vec(),
            announce_len: None,
        }
    }
    /// Announces more bytes than it sends, then closes the connection.
    fn truncated(body: &[u8], announce_len: usize) -> Reply {
        Reply {
            status: 200,
            body: body.to_vec(),
            announce_len: Some(announce_len),
        }
    }
}

/// A tiny bounded HTTP/1.1 server: answers at most `max_requests` requests (one per
/// connection, `Connection: close`), then stops; it also stops when [`Server::finish`] is
/// called or after 30 s, whichever comes first.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: &[(&str, Reply)], max_requests: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}/data", listener.local_addr().expect("addr"));
        let routes: HashMap<String, Reply> = routes
            .iter()
            .map(|(p, r)| (format!("/data/{p}"), r.clone()))
            .collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut served = 0;
            while served < max_requests
                && !stop2.load(Ordering::SeqCst)
                && Instant::now() < deadline
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        if let Some(path) = answer(stream, &routes) {
                            seen2.lock().expect("lock").push(path);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => break,
                }
            }
        });
        Server {
            base,
            seen,
            stop,
            handle: Some(handle),
        }
    }

    /// Stops the server and returns the paths it was asked for.
    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            h.join().expect("server thread");
        }
        let seen = self.seen.lock().expect("lock");
        seen.clone()
    }
}

/// Reads one request and writes the reply; returns the requested path.
fn answer(stream: TcpStream, routes: &HashMap<String, Reply>) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let path = first.split_whitespace().nth(1)?.to_string();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let reply = routes
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Reply::status(404));
    let reason = match reply.status {
        200 => "OK",
        404 => "Not Found",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        reply.status,
        reply.announce_len.unwrap_or(reply.body.len())
    );
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Some(path)
}

const A: &str = "train_catvnoncat.h5";
const B: &str = "test_catvnoncat.h5";

fn content(name: &str) -> Vec<u8> {
    // Big enough to need several reads, distinct per file.
    (0..200_000u32)
        .map(|i| (i.wrapping_mul(31) ^ name.len() as u32) as u8)
        .collect()
}

fn sums() -> Vec<Expected> {
    [A, B]
        .iter()
        .map(|n| Expected {
            name: n.to_string(),
            sha256: hex(&Sha256::digest(content(n))),
        })
        .collect()
}

fn opts() -> Options {
    Options {
        force: false,
        progress: false,
        connect_timeout: Duration::from_secs(5),
        overall_timeout: Duration::from_secs(20),
        use_env_proxy: false,
    }
}

/// The names in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn url(server: &Server) -> Source {
    Source::UrlBase(server.base.clone())
}

#[test]
fn good_download_writes_verified_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(
        &[(A, Reply::ok(&content(A))), (B, Reply::ok(&content(B)))],
        2,
    );
    let out = fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect("fetch");
    assert!(matches!(out[0].1, Outcome::Fetched(ref u) if u.ends_with(A)));
    assert_eq!(fs::read(dir.path().join(A)).expect("A"), content(A));
    assert_eq!(fs::read(dir.path().join(B)).expect("B"), content(B));
    assert_eq!(listing(dir.path()), vec![B.to_string(), A.to_string()]);
    assert_eq!(
        server.finish(),
        vec![format!("/data/{A}"), format!("/data/{B}")]
    );
}

#[test]
fn not_found_fails_naming_the_source_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(&[], 1);
    let err = fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect_err("404");
    let msg = format!("{err:#}");
    assert!(msg.contains("404"), "{msg}");
    assert!(msg.contains(&format!("{}/{A}", server.base)), "{msg}");
    assert!(
        msg.contains("--mirror") && msg.contains(MIRROR_ENV),
        "{msg}"
    );
    assert!(listing(dir.path()).is_empty());
    server.finish();
}

#[test]
fn truncated_body_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = content(A);
    let half = &body[..body.len() / 2];
    let server = Server::start(&[(A, Reply::truncated(half, body.len()))], 1);
    let err = fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect_err("truncated");
    let msg = format!("{err:#}");
    assert!(msg.contains(&server.base), "{msg}");
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    server.finish();
}

#[test]
fn corrupted_body_is_a_checksum_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut body = content(A);
    body[1234] ^= 0xff;
    let server = Server::start(&[(A, Reply::ok(&body))], 1);
    let err = fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect_err("corrupt");
    let msg = format!("{err:#}");
    assert!(msg.contains("checksum mismatch"), "{msg}");
    assert!(listing(dir.path()).is_empty());
    server.finish();
}

#[test]
fn existing_valid_files_are_not_fetched_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join(A), content(A)).expect("write");
    fs::write(dir.path().join(B), content(B)).expect("write");
    let server = Server::start(
        &[(A, Reply::ok(&content(A))), (B, Reply::ok(&content(B)))],
        2,
    );
    let out = fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect("fetch");
    assert!(out.iter().all(|(_, o)| *o == Outcome::AlreadyValid));
    assert!(
        server.finish().is_empty(),
        "the server must see zero requests"
    );
}

#[test]
fn force_fetches_valid_files_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join(A), content(A)).expect("write");
    fs::write(dir.path().join(B), content(B)).expect("write");
    let server = Server::start(
        &[(A, Reply::ok(&content(A))), (B, Reply::ok(&content(B)))],
        2,
    );
    let o = Options {
        force: true,
        ..opts()
    };
    let out = fetch_all(dir.path(), &sums(), &[url(&server)], &o).expect("fetch");
    assert!(out.iter().all(|(_, o)| matches!(o, Outcome::Fetched(_))));
    assert_eq!(server.finish().len(), 2);
}

#[test]
fn existing_corrupted_file_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join(A), b"garbage").expect("write");
    fs::write(dir.path().join(B), content(B)).expect("write");
    let server = Server::start(&[(A, Reply::ok(&content(A)))], 1);
    fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect("fetch");
    assert_eq!(fs::read(dir.path().join(A)).expect("A"), content(A));
    assert_eq!(server.finish(), vec![format!("/data/{A}")]);
}

#[test]
fn corrupted_download_keeps_an_existing_file_untouched_when_all_fail() {
    // A bad existing file stays as it was (it is only ever replaced by a verified one).
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join(A), b"old").expect("write");
    let server = Server::start(&[(A, Reply::ok(b"also wrong"))], 1);
    fetch_all(dir.path(), &sums(), &[url(&server)], &opts()).expect_err("corrupt");
    assert_eq!(fs::read(dir.path().join(A)).expect("A"), b"old");
    assert_eq!(listing(dir.path()), vec![A.to_string()]);
    server.finish();
}

#[test]
fn mirror_directory_is_copied_and_verified() {
    let mirror = tempfile::tempdir().expect("tempdir");
    fs::write(mirror.path().join(A), content(A)).expect("write");
    fs::write(mirror.path().join(B), content(B)).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Source::parse(&mirror.path().display().to_string());
    assert_eq!(src, Source::Dir(mirror.path().to_path_buf()));
    let out = fetch_all(dir.path(), &sums(), &[src], &opts()).expect("fetch");
    assert!(out.iter().all(|(_, o)| matches!(o, Outcome::Fetched(_))));
    assert_eq!(fs::read(dir.path().join(B)).expect("B"), content(B));
    assert_eq!(listing(dir.path()).len(), 2);
}

#[test]
fn corrupted_mirror_file_falls_through_to_the_next_source() {
    let mirror = tempfile::tempdir().expect("tempdir");
    fs::write(mirror.path().join(A), b"corrupted copy").expect("write");
    // B is missing from the mirror altogether.
    let dir = tempfile::tempdir().expect("tempdir");
    let good = Server::start(
        &[(A, Reply::ok(&content(A))), (B, Reply::ok(&content(B)))],
        2,
    );
    let sources = [Source::Dir(mirror.path().to_path_buf()), url(&good)];
    let out = fetch_all(dir.path(), &sums(), &sources, &opts()).expect("fetch");
    assert_eq!(out[0].1, Outcome::Fetched(format!("{}/{A}", good.base)));
    assert_eq!(out[1].1, Outcome::Fetched(format!("{}/{B}", good.base)));
    assert_eq!(listing(dir.path()).len(), 2);
    assert_eq!(good.finish().len(), 2);
}

#[test]
fn failing_url_falls_through_to_a_good_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = Server::start(&[(A, Reply::status(500))], 2);
    let good = Server::start(
        &[(A, Reply::ok(&content(A))), (B, Reply::ok(&content(B)))],
        2,
    );
    let out = fetch_all(dir.path(), &sums(), &[url(&bad), url(&good)], &opts()).expect("fetch");
    assert_eq!(out[0].1, Outcome::Fetched(format!("{}/{A}", good.base)));
    assert_eq!(fs::read(dir.path().join(A)).expect("A"), content(A));
    assert_eq!(
        bad.finish().len(),
        2,
        "the failing source is tried first for each file"
    );
    assert_eq!(good.finish().len(), 2);
}

#[test]
fn unreachable_sources_give_one_clear_message() {
    // A port with nothing listening: connection refused, as on an offline machine.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}/data");
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let err =
        fetch_all(dir.path(), &sums(), &[Source::parse(&base)], &opts()).expect_err("offline");
    let msg = format!("{err:#}");
    assert!(msg.contains(&format!("{base}/{A}")), "{msg}");
    assert!(
        msg.contains("--mirror") && msg.contains(MIRROR_ENV),
        "{msg}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn sources_parse_as_dir_or_url() {
    assert_eq!(
        Source::parse("https://example.invalid/x"),
        Source::UrlBase("https://example.invalid/x".into())
    );
    assert_eq!(
        Source::parse("HTTP://h/x/"),
        Source::UrlBase("HTTP://h/x/".into())
    );
    assert_eq!(Source::parse("/srv/data"), Source::Dir("/srv/data".into()));
    assert_eq!(
        Source::parse("file:///srv/data"),
        Source::Dir("/srv/data".into())
    );
    assert_eq!(
        Source::parse("http://h/x/").location("f.h5"),
        "http://h/x/f.h5"
    );
}

#[test]
fn sums_are_parsed_and_checked() {
    let h = "ab".repeat(32);
    let text = format!("# comment\n{h}  a.h5\n\n{}  *b.h5\n", h.to_uppercase());
    let sums = parse_sums(&text).expect("parse");
    assert_eq!(sums.len(), 2);
    assert_eq!(sums[1].name, "b.h5");
    assert_eq!(sums[1].sha256, h);
    assert!(parse_sums("1234  a.h5").is_err());
    assert!(parse_sums(&format!("{h}  ../a.h5")).is_err());
    assert!(parse_sums("").is_err());
}

#[test]
fn committed_sums_name_the_two_cat_files() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/SHA256SUMS");
    let sums = read_sums(&path).expect("data/SHA256SUMS");
    let mut names: Vec<&str> = sums.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec![B, A]);
}

#[test]
fn sources_are_ordered_mirror_url_base_builtin() {
    let args = FetchArgs {
        mirror: Some("/srv/cats".into()),
        url_base: vec!["http://127.0.0.1:1/x".into()],
        force: false,
    };
    let s = sources(&args);
    assert_eq!(s[0], Source::Dir("/srv/cats".into()));
    assert_eq!(s[1], Source::UrlBase("http://127.0.0.1:1/x".into()));
    assert_eq!(s[2], Source::UrlBase(BUILTIN_URL_BASES[0].into()));
    assert_eq!(s.len(), 2 + BUILTIN_URL_BASES.len());
}
