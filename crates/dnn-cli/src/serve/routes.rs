//! Every route of `dnn serve`, in one place.
//!
//! | route | what |
//! |---|---|
//! | `GET /`, `/app.js`, `/style.css` | the page ([`page`]) |
//! | `GET /api/datasets` | the data sets and their published set-ups ([`datasets`]) |
//! | `GET /api/train`, `POST /api/train` | the current run; start one (202, 409 if one runs) |
//! | `POST /api/train/stop` | stop it after the current iteration (202, 409 if none runs) |
//! | `GET /api/train/events` | its costs, boundaries and outcome as server-sent events |
//! | `GET /api/models`, `/api/models/{file,trained}` | the models; one with its first layer drawn |
//! | `GET /api/models/trained/model.h5` | the trained model's file |
//! | `POST /api/predict?model=...` | a picture or a CSV table in, the verdict out |
//!
//! Every request passes [`guard::check`] first: a Host that is not this server, or a change
//! (POST) from another web page's origin, is a 403.
//!
//! No route takes a path from the client: the files it reads are the `--model` and
//! `--data` the server was started with (and the cat set), all read at start.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use super::error::ApiError;
use super::state::AppState;
use super::{datasets, guard, inspect, page, predict, training};

/// The router of the whole server.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .route("/api/datasets", get(datasets::list))
        .route("/api/train", get(training::status).post(training::start))
        .route("/api/train/stop", post(training::stop))
        .route("/api/train/events", get(training::events))
        .route("/api/models", get(inspect::list))
        .route("/api/models/{name}", get(inspect::detail))
        .route("/api/models/trained/model.h5", get(inspect::download))
        .route("/api/predict", post(predict::predict))
        .fallback(|| async {
            ApiError::not_found("no such page: the page is at /, its API under /api/")
        })
        // A known path with another method: one line, as every other error (axum's own 405
        // has an empty body).
        .method_not_allowed_fallback(|method: axum::http::Method, uri: axum::http::Uri| async move {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} {} is not a request this server answers; the routes are listed in dnn serve's README section", uri.path()),
            )
        })
        // Before every route and fallback: the Host and Origin checks.
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::check))
        .with_state(state)
}
