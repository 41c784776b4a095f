//! The page: `page/index.html`, `page/app.js` and `page/style.css`, embedded in the binary
//! and served as they are. Nothing comes from elsewhere, which the Content-Security-Policy
//! states to the browser too.

use axum::http::header;
use axum::response::IntoResponse;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

/// Scripts, styles and connections from this server only; pictures also from `data:` and
/// `blob:` URLs (predictions, the user's own pictures before upload).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; \
     style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

fn file(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        ],
        body,
    )
}

/// `GET /`.
pub async fn index() -> impl IntoResponse {
    file(INDEX, "text/html; charset=utf-8")
}

/// `GET /app.js`.
pub async fn script() -> impl IntoResponse {
    file(SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /style.css`.
pub async fn style() -> impl IntoResponse {
    file(STYLE, "text/css; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        for (name, text) in [
            ("index.html", INDEX),
            ("app.js", SCRIPT),
            ("style.css", STYLE),
        ] {
            for outside in ["http://", "https://", "//cdn", "@import"] {
                assert!(!text.contains(outside), "{name} mentions {outside}");
            }
        }
        assert!(INDEX.contains("<script src=\"/app.js\""));
        let limit = format!(
            "const UPLOAD_LIMIT = {} * 1024 * 1024;",
            super::super::predict::UPLOAD_LIMIT >> 20
        );
        assert!(
            SCRIPT.contains(&limit),
            "app.js's UPLOAD_LIMIT is not the server's"
        );
        assert!(INDEX.contains("href=\"/style.css\""));
    }
}
