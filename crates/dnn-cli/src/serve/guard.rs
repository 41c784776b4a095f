//! Who may talk to the server. Any web page the user opens can send requests to
//! `127.0.0.1`, so every request passes two checks before its handler ([`check`]):
//!
//! - its `Host` must name this server: `localhost`, `127.0.0.1` or `[::1]` with the port,
//!   or the address it listens on (with `--host 0.0.0.0` or `::`, any IP address: the
//!   machine's own, whichever a client used). A host name other than `localhost` is refused:
//!   that is what a DNS-rebinding page sends, to read the API as if it were its own origin.
//! - a request that changes something (any method but GET, HEAD and OPTIONS) that carries an
//!   `Origin` must come from one of those addresses: another page's `fetch` (even `no-cors`)
//!   cannot stop a training or run predictions. Clients that send no `Origin` (curl,
//!   scripts) are not browsers' pages, and pass.
//!
//! A refused request gets 403 and one line that says what was refused and where the page is.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// The addresses the server answers for: the port and address it listens on.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    listening: SocketAddr,
}

impl Guard {
    /// The guard of a server listening on `listening` (its actual port, not 0).
    pub fn new(listening: SocketAddr) -> Guard {
        Guard { listening }
    }

    /// Whether `authority` (a `Host` value, or an origin's `host:port`) names this server.
    pub fn allows(&self, authority: &str) -> bool {
        let Ok(authority) = authority.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        // Without a port, a client means HTTP's own (80).
        if authority.port_u16().unwrap_or(80) != self.listening.port() {
            return false;
        }
        let host = authority.host();
        if host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        else {
            return false;
        };
        let listening = self.listening.ip();
        ip.is_loopback() || ip == listening || listening.is_unspecified()
    }

    /// What is accepted, for messages: `localhost, 127.0.0.1 or [::1] with port 8080`.
    fn accepted(&self) -> String {
        let port = self.listening.port();
        let ip = self.listening.ip();
        let own = if ip.is_unspecified() {
            ", or any IP address of this machine,".to_owned()
        } else if ip.is_loopback() {
            String::new()
        } else {
            match ip {
                IpAddr::V6(v6) => format!(", [{v6}]"),
                IpAddr::V4(v4) => format!(", {v4}"),
            }
        };
        format!("localhost, 127.0.0.1 or [::1]{own} with port {port}")
    }

    /// Where the page is, for messages.
    fn page(&self) -> String {
        let ip = self.listening.ip();
        if ip.is_unspecified() || ip.is_loopback() {
            format!("http://localhost:{}/", self.listening.port())
        } else {
            format!("http://{}/", self.listening)
        }
    }

    /// Why a request with these `headers` and `method` is refused, if it is.
    pub fn refusal(&self, method: &Method, headers: &HeaderMap) -> Option<String> {
        let host = headers
            .get(header::HOST)
            .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned());
        match host {
            None => {
                return Some(format!(
                    "the request names no host (no Host header); dnn serve answers requests for {}",
                    self.accepted()
                ))
            }
            Some(host) if !self.allows(&host) => {
                return Some(format!(
                    "the request is for `{host}`, which is not this server; dnn serve answers \
                     requests for {} (open {})",
                    self.accepted(),
                    self.page()
                ))
            }
            Some(_) => {}
        }
        let safe = [Method::GET, Method::HEAD, Method::OPTIONS].contains(method);
        let origin = headers
            .get(header::ORIGIN)
            .map(|o| String::from_utf8_lossy(o.as_bytes()).into_owned());
        match origin {
            Some(origin) if !safe && !self.same_origin(&origin) => Some(format!(
                "{method} from the web page at `{origin}` is refused: only dnn serve's own page \
                 ({}) may change what the server does",
                self.page()
            )),
            _ => None,
        }
    }

    /// Whether `origin` (`http://host:port`, or `null`) is one of this server's addresses.
    fn same_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|authority| self.allows(authority))
    }
}

/// The middleware: a refused request gets 403 and one line; the others go on.
pub async fn check(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match state.guard.refusal(request.method(), request.headers()) {
        Some(why) => ApiError::new(StatusCode::FORBIDDEN, why).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn guard(addr: &str) -> Guard {
        Guard::new(addr.parse().unwrap())
    }

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(host) = host {
            h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        }
        if let Some(origin) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        h
    }

    #[test]
    fn a_loopback_server_answers_its_own_names_with_its_port_only() {
        let g = guard("127.0.0.1:8080");
        for host in [
            "localhost:8080",
            "LOCALHOST:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
        ] {
            assert!(g.allows(host), "{host}");
        }
        for host in [
            "attacker.example:8080",
            "127.0.0.1:8081",
            "localhost",
            "192.168.1.5:8080",
            "",
            "127.0.0.1:8080/x",
        ] {
            assert!(!g.allows(host), "{host}");
        }
        assert!(guard("127.0.0.1:80").allows("localhost"));
    }

    #[test]
    fn a_server_on_another_address_answers_it_and_on_every_address_any_ip() {
        let g = guard("192.168.1.5:8080");
        assert!(g.allows("192.168.1.5:8080") && g.allows("localhost:8080"));
        assert!(!g.allows("192.168.1.6:8080") && !g.allows("mybox.local:8080"));
        let all = guard("0.0.0.0:8080");
        assert!(all.allows("10.0.0.7:8080") && all.allows("[fe80::1]:8080"));
        assert!(!all.allows("mybox.local:8080") && !all.allows("10.0.0.7:9090"));
        let says = all
            .refusal(&Method::GET, &headers(Some("mybox.local:8080"), None))
            .unwrap();
        assert!(says.contains("any IP address of this machine"), "{says}");
    }

    #[test]
    fn another_origin_may_read_nothing_new_and_change_nothing() {
        let g = guard("127.0.0.1:8080");
        let own = Some("localhost:8080");
        assert_eq!(g.refusal(&Method::POST, &headers(own, None)), None);
        for origin in ["http://localhost:8080", "http://127.0.0.1:8080"] {
            assert_eq!(g.refusal(&Method::POST, &headers(own, Some(origin))), None);
        }
        for origin in [
            "http://127.0.0.1:47830",
            "http://attacker.example:8080",
            "https://localhost:8080",
            "null",
        ] {
            let says = g
                .refusal(&Method::POST, &headers(own, Some(origin)))
                .unwrap_or_else(|| panic!("{origin} passed"));
            assert!(says.contains(origin), "{says}");
            // Reading needs no Origin check: the browser keeps the answer from the other page.
            assert_eq!(g.refusal(&Method::GET, &headers(own, Some(origin))), None);
        }
        let says = g
            .refusal(&Method::GET, &headers(Some("attacker.example:8080"), None))
            .unwrap();
        assert!(says.contains("`attacker.example:8080`"), "{says}");
        assert!(g.refusal(&Method::GET, &headers(None, None)).is_some());
    }
}
