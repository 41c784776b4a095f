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
}
