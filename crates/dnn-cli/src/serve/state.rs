//! What every handler shares, behind one `Arc`: the data sets, the models, the training
//! run, and the shutdown signal.

use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;

use super::datasets::{Choice, TrainingData};
use super::error::ApiError;
use super::guard::Guard;
use super::models::{ModelEntry, Slot};
use super::training::Run;
use crate::interrupt::Interrupt;

/// The server's state.
#[derive(Debug)]
pub struct AppState {
    /// The data sets of the Train view, in the order the page lists them.
    pub datasets: Vec<Choice>,
    /// The `--model` file, if given.
    pub file_model: Option<Arc<ModelEntry>>,
    /// The last model trained in the page.
    pub trained_model: RwLock<Option<Arc<ModelEntry>>>,
    /// The running training, or the last one (one at a time).
    pub run: Mutex<Option<Arc<Run>>>,
    /// Held by the start request being checked: one start at a time ([`super::training::start`]).
    pub starting: tokio::sync::Mutex<()>,
    /// Which hosts and origins the server answers ([`Guard`]).
    pub guard: Guard,
    /// Becomes `true` when the server is shutting down (Ctrl-C): streams end.
    pub shutdown: watch::Sender<bool>,
    /// Ctrl-C: training stops after the current iteration, then the server.
    pub interrupt: Interrupt,
}

impl AppState {
    /// A state with these data sets and this `--model`.
    pub fn new(
        datasets: Vec<Choice>,
        file_model: Option<ModelEntry>,
        interrupt: Interrupt,
        guard: Guard,
    ) -> AppState {
        AppState {
            datasets,
            file_model: file_model.map(Arc::new),
            trained_model: RwLock::new(None),
            run: Mutex::new(None),
            starting: tokio::sync::Mutex::new(()),
            guard,
            shutdown: watch::Sender::new(false),
            interrupt,
        }
    }

    /// The data set `id`, if loaded; else a 400 that says why.
    pub fn dataset(&self, id: &str) -> Result<Arc<TrainingData>, ApiError> {
        match self.datasets.iter().find(|c| c.id() == id) {
            Some(Choice::Ready(d)) => Ok(d.clone()),
            Some(Choice::Unavailable { problem, .. }) => Err(ApiError::bad_request(format!(
                "the data set `{id}` cannot be used: {problem}"
            ))),
            None => Err(ApiError::bad_request(format!(
                "no data set `{id}`; the data sets are {}",
                self.datasets
                    .iter()
                    .map(Choice::id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The model in `slot`, or a 404 that says how to get one.
    pub fn model(&self, slot: Slot) -> Result<Arc<ModelEntry>, ApiError> {
        match slot {
            Slot::File => self.file_model.clone().ok_or_else(|| {
                ApiError::not_found("no model file: start dnn serve with --model MODEL.h5")
            }),
            Slot::Trained => self
                .trained_model
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .ok_or_else(|| {
                    ApiError::not_found("no model trained yet: train one in the Train view")
                }),
        }
    }

    /// The model in the slot named `name` (`file` or `trained`); without a name, the
    /// trained model if there is one, else the file.
    pub fn model_named(&self, name: Option<&str>) -> Result<Arc<ModelEntry>, ApiError> {
        match name {
            Some(name) => {
                let slot = Slot::parse(name).ok_or_else(|| {
                    ApiError::not_found(format!("no model `{name}`: ask for file or trained"))
                })?;
                self.model(slot)
            }
            None => self
                .model(Slot::Trained)
                .or_else(|_| self.model(Slot::File))
                .map_err(|_| {
                    ApiError::not_found(
                        "no model yet: train one in the Train view, or start dnn serve with --model MODEL.h5",
                    )
                }),
        }
    }

    /// The model in the slot named `name`, as [`AppState::model_named`]; with `run`, only if
    /// it is still the model that run trained: a later run's replaced it is a 410 that says so
    /// (the page names the model it shows, and must not get another's answers).
    pub fn model_pinned(
        &self,
        name: Option<&str>,
        run: Option<u64>,
    ) -> Result<Arc<ModelEntry>, ApiError> {
        let Some(wanted) = run else {
            return self.model_named(name);
        };
        if name == Some("file") {
            return Err(ApiError::bad_request(
                "run: the --model file has no run; leave run out, or ask for model=trained",
            ));
        }
        let gone = |now: &str| {
            ApiError::gone(format!(
                "the model of run {wanted} is gone: {now}; choose the model again in the list (reload the page if it is not there)"
            ))
        };
        match self.model(Slot::Trained) {
            Ok(m) if m.run == Some(wanted) => Ok(m),
            Ok(m) => Err(match m.run {
                Some(now) if now > wanted => gone(&format!("run {now} has replaced it")),
                now => ApiError::not_found(format!(
                    "run {wanted} has no model; the model trained now is {}",
                    now.map_or("another run's".into(), |r| format!("run {r}'s"))
                )),
            }),
            Err(_) => Err(gone("no model is trained now")),
        }
    }

    /// The current or last training run.
    pub fn current_run(&self) -> Option<Arc<Run>> {
        self.run.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether the server is shutting down.
    pub fn shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }
}
