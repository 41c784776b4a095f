//! What a handler answers when it cannot do what was asked: an HTTP status and one line
//! of plain text that says what is wrong and what to do.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// An HTTP error with a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// The message, one line.
    pub message: String,
}

impl ApiError {
    /// `status` with `message` (line breaks become spaces).
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        let message: String = message.into();
        ApiError {
            status,
            message: message.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }

    /// 400: the request (a body, an upload, a value) is wrong.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404: there is no such thing.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 409: the request clashes with what is going on (a training already running).
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, message)
    }

    /// 410: the thing asked for existed and was replaced (a model a later run replaced).
    pub fn gone(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::GONE, message)
    }

    /// 400 for a query string serde could not read (a field given twice, say), in the house
    /// style: the field named, and what the query takes (`usage`), without axum's preamble.
    pub fn bad_query(e: &axum::extract::rejection::QueryRejection, usage: &str) -> ApiError {
        let text = e.body_text();
        let text = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text);
        let said = match text
            .strip_prefix("duplicate field `")
            .and_then(|rest| rest.split_once('`'))
        {
            Some((field, _)) => format!("`{field}` is given twice; give it once"),
            None => text.to_owned(),
        };
        ApiError::bad_request(format!("the query: {said}; ask as {usage}"))
    }

    /// 500: something failed that should not have.
    pub fn internal(error: &anyhow::Error) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, crate::one_line(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.message + "\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let e = ApiError::bad_request("the upload:\n  not a picture\r\n");
        assert_eq!(e.message, "the upload: not a picture");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_field_given_twice_in_a_query_is_named_once() {
        use axum::extract::{FromRequestParts, Query};
        #[derive(Debug, serde::Deserialize)]
        struct Q {
            #[allow(dead_code)]
            model: Option<String>,
        }
        let (mut parts, ()) = axum::http::Request::builder()
            .uri("/api/predict?model=trained&model=file")
            .body(())
            .unwrap()
            .into_parts();
        let rejection =
            futures_util::FutureExt::now_or_never(Query::<Q>::from_request_parts(&mut parts, &()))
                .expect("ready")
                .unwrap_err();
        let e = ApiError::bad_query(&rejection, "?model=file");
        assert_eq!(
            e.message,
            "the query: `model` is given twice; give it once; ask as ?model=file"
        );
    }
}
