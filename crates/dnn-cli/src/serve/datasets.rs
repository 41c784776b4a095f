//! The data sets the Train view offers: the cat pictures, the flower, the moons, the
//! circles, and the user's own (`--data`), each with its published set-up.
//!
//! Every set is loaded once, when the server starts, into a [`Dataset`]: inputs one column
//! per example, labels as class indices, class names, and what an input is (a picture, a
//! point of the plane, a row of a table). A set that cannot be loaded (the cat files not
//! fetched yet) is listed with the reason instead.
//!
//! `--data` reads the course's HDF5 layout (a directory with `train_catvnoncat.h5` and
//! `test_catvnoncat.h5`, pictures of any size) through [`load_user`], the one place where
//! other formats plug in.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::State;
use axum::Json;
use dnn_core::NumpyRng;
use dnn_data::planar::flower;
use dnn_data::toy::{make_circles, make_moons};
use dnn_data::{CatDataset, DATA_DIR_ENV};
use ndarray::Array2;
use serde::Serialize;

use super::state::AppState;
use super::training::Setup;
use crate::evaluate::CLASSES;
use crate::presets::{preset, Arch};

/// The most points of a 2-D set sent to the page for drawing.
const MAX_DRAWN_POINTS: usize = 2000;

/// What one input (one column of `X`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum InputKind {
    /// An RGB picture, flattened as numpy does (`(row * width + col) * 3 + channel`).
    Picture {
        /// Rows of pixels.
        height: usize,
        /// Columns of pixels.
        width: usize,
    },
    /// A point of the plane (2 features): decision boundaries can be drawn.
    Points,
    /// A row of numbers.
    Table {
        /// Numbers per row.
        features: usize,
    },
}

impl InputKind {
    /// What an input of `features` numbers most likely is, when nothing says: an RGB
    /// picture when `features` is `3 s²` for a side `s` of at least 8 pixels, a point when
    /// it is 2, else a row of a table.
    pub fn guess(features: usize) -> InputKind {
        let side = ((features / 3) as f64).sqrt().round() as usize;
        if side >= 8 && 3 * side * side == features {
            InputKind::Picture {
                height: side,
                width: side,
            }
        } else if features == 2 {
            InputKind::Points
        } else {
            InputKind::Table { features }
        }
    }

    /// Numbers per input.
    pub fn features(self) -> usize {
        match self {
            InputKind::Picture { height, width } => height * width * 3,
            InputKind::Points => 2,
            InputKind::Table { features } => features,
        }
    }
}

/// A data set ready for training: `(features, m)` inputs and class indices.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The identifier the page sends (`cat`, `flower`, `moons`, `circles`, `data`).
    pub id: &'static str,
    /// A short name for people.
    pub name: String,
    /// Where it comes from, in a sentence.
    pub description: String,
    /// What an input is.
    pub input: InputKind,
    /// Class names, by index.
    pub classes: Vec<String>,
    /// Training inputs, one column per example.
    pub train_x: Array2<f64>,
    /// The class of each training example.
    pub train_labels: Vec<usize>,
    /// Test inputs, one column per example.
    pub test_x: Array2<f64>,
    /// The class of each test example.
    pub test_labels: Vec<usize>,
    /// The published set-up for this set: the form's defaults.
    pub preset: Setup,
}

/// A data set of the list, or why it cannot be used.
#[derive(Debug, Clone)]
pub enum Choice {
    /// Loaded.
    Ready(Arc<Dataset>),
    /// Could not be loaded: the identifier, the name and the reason.
    Unavailable {
        id: &'static str,
        name: String,
        problem: String,
    },
}

impl Choice {
    /// The identifier the page sends.
    pub fn id(&self) -> &'static str {
        match self {
            Choice::Ready(d) => d.id,
            Choice::Unavailable { id, .. } => id,
        }
    }
}

/// The built-in sets, and the user's when given.
pub fn all(user: Option<Dataset>) -> Vec<Choice> {
    let mut out = vec![cat(), Choice::Ready(Arc::new(flower_set()))];
    out.push(Choice::Ready(Arc::new(moons())));
    out.push(Choice::Ready(Arc::new(circles())));
    out.extend(user.map(|d| Choice::Ready(Arc::new(d))));
    out
}

/// Where the cat set is read from: `$DNN_DATA_DIR`, else `data` (as `dnn train`'s `--data`).
fn cat_dir() -> PathBuf {
    std::env::var_os(DATA_DIR_ENV).map_or_else(|| PathBuf::from("data"), PathBuf::from)
}

/// The course's cat pictures, if fetched.
fn cat() -> Choice {
    let dir = cat_dir();
    match course_pictures("cat", &dir) {
        Ok(mut d) => {
            d.name = "Cat pictures".into();
            d.description = format!(
                "The course's cat/non-cat pictures from {}: {} training and {} test pictures of {}.",
                dir.display(),
                d.train_labels.len(),
                d.test_labels.len(),
                picture_size(d.input)
            );
            Choice::Ready(Arc::new(d))
        }
        Err(e) => Choice::Unavailable {
            id: "cat",
            name: "Cat pictures".into(),
            problem: format!(
                "{}; run `cargo xtask fetch-data` to get the cat set",
                crate::one_line(&e)
            ),
        },
    }
}

/// A directory in the course's HDF5 layout, with the deep network's set-up sized to it.
fn course_pictures(id: &'static str, dir: &Path) -> anyhow::Result<Dataset> {
    let data = CatDataset::<f64>::load(dir)?;
    let [height, width, _] = data.image_shape();
    let input = InputKind::Picture { height, width };
    let deep = preset(Arch::Deep);
    let mut layers = deep.layers.clone();
    layers[0] = input.features();
    let classes = if data.classes.len() == 2 {
        data.classes.clone()
    } else {
        CLASSES.iter().map(|c| c.to_string()).collect()
    };
    Ok(Dataset {
        id,
        name: dir.display().to_string(),
        description: String::new(),
        input,
        classes,
        train_labels: labels(&data.train_y),
        test_labels: labels(&data.test_y),
        train_x: data.train_x,
        test_x: data.test_x,
        preset: Setup {
            dataset: id.into(),
            layers,
            hidden: "relu".into(),
            output: "sigmoid".into(),
            init: deep.init.name().into(),
            seed: deep.seed,
            optimizer: "gd".into(),
            learning_rate: deep.learning_rate,
            batch_size: None,
            iterations: deep.iterations,
        },
    })
}

/// `--data PATH`: the user's own set. Today: a directory with `train_catvnoncat.h5` and
/// `test_catvnoncat.h5` (the course's layout, pictures of any size).
pub fn load_user(path: &Path) -> anyhow::Result<Dataset> {
    let mut d = course_pictures("data", path).with_context(|| {
        format!(
            "--data {}: expected a directory with {} and {} (the course's HDF5 layout)",
            path.display(),
            dnn_data::TRAIN_FILE,
            dnn_data::TEST_FILE
        )
    })?;
    d.description = format!(
        "Your data from {}: {} training and {} test pictures of {}.",
        path.display(),
        d.train_labels.len(),
        d.test_labels.len(),
        picture_size(d.input)
    );
    Ok(d)
}

fn picture_size(input: InputKind) -> String {
    match input {
        InputKind::Picture { height, width } => format!("{width}×{height} pixels"),
        other => format!("{} numbers", other.features()),
    }
}

/// The flower of the shallow chapter, and the exercise's `nn_model(n_h = 4,
/// num_iterations = 10000)` (accuracy 90 %).
fn flower_set() -> Dataset {
    let (train_x, train_y) = flower(1);
    let (test_x, test_y) = flower(2);
    Dataset {
        id: "flower",
        name: "Flower".into(),
        description: "The shallow chapter's flower: 400 points of 2 petal colours from seed 1; \
                      the test set is a fresh draw from seed 2."
            .into(),
        input: InputKind::Points,
        classes: vec!["red".into(), "blue".into()],
        train_labels: labels(&train_y),
        test_labels: labels(&test_y),
        train_x,
        test_x,
        preset: Setup {
            dataset: "flower".into(),
            layers: vec![2, 4, 1],
            hidden: "tanh".into(),
            output: "sigmoid".into(),
            init: "small".into(),
            seed: 2,
            optimizer: "gd".into(),
            learning_rate: 1.2,
            batch_size: None,
            iterations: 10000,
        },
    }
}

/// The "Optimization methods" assignment's moons and its Adam set-up (accuracy 94 %).
fn moons() -> Dataset {
    let (train_x, train_y) = make_moons(300, true, Some(0.2), &mut NumpyRng::new(3));
    let (test_x, test_y) = make_moons(100, true, Some(0.2), &mut NumpyRng::new(4));
    Dataset {
        id: "moons",
        name: "Moons".into(),
        description: "scikit-learn's make_moons(300, noise 0.2) after np.random.seed(3), as the \
                      \"Optimization methods\" assignment; the test set is a fresh draw of 100 \
                      from seed 4."
            .into(),
        input: InputKind::Points,
        classes: vec!["class 0".into(), "class 1".into()],
        train_labels: labels(&train_y),
        test_labels: labels(&test_y),
        train_x,
        test_x,
        preset: Setup {
            dataset: "moons".into(),
            layers: vec![2, 5, 2, 1],
            hidden: "relu".into(),
            output: "sigmoid".into(),
            init: "he".into(),
            seed: 3,
            optimizer: "adam".into(),
            learning_rate: 0.0007,
            batch_size: Some(64),
            iterations: 5000,
        },
    }
}

/// The "Initialization" assignment's circles and its He set-up (train 0.9933, test 0.96).
fn circles() -> Dataset {
    let (train_x, train_y) = make_circles(300, true, Some(0.05), 0.8, &mut NumpyRng::new(1));
    let (test_x, test_y) = make_circles(100, true, Some(0.05), 0.8, &mut NumpyRng::new(2));
    Dataset {
        id: "circles",
        name: "Circles".into(),
        description: "scikit-learn's make_circles(noise 0.05): 300 training points after \
                      np.random.seed(1) and 100 test points after np.random.seed(2), as the \
                      \"Initialization\" assignment."
            .into(),
        input: InputKind::Points,
        classes: vec!["outer".into(), "inner".into()],
        train_labels: labels(&train_y),
        test_labels: labels(&test_y),
        train_x,
        test_x,
        preset: Setup {
            dataset: "circles".into(),
            layers: vec![2, 10, 5, 1],
            hidden: "relu".into(),
            output: "sigmoid".into(),
            init: "he".into(),
            seed: 3,
            optimizer: "gd".into(),
            learning_rate: 0.01,
            batch_size: None,
            iterations: 15000,
        },
    }
}

/// Class indices from a `(1, m)` row of 0.0/1.0 labels.
fn labels(y: &Array2<f64>) -> Vec<usize> {
    y.iter().map(|&v| usize::from(v > 0.5)).collect()
}

/// One data set as the page sees it.
#[derive(Debug, Serialize)]
pub struct DatasetInfo {
    id: &'static str,
    name: String,
    available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<InputKind>,
    classes: Vec<String>,
    train_size: usize,
    test_size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<Setup>,
    /// For 2-D sets: the training points `[x1, x2, class]`, to draw under the boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<Vec<(f64, f64, usize)>>,
}

impl DatasetInfo {
    fn of(choice: &Choice) -> DatasetInfo {
        match choice {
            Choice::Ready(d) => DatasetInfo {
                id: d.id,
                name: d.name.clone(),
                available: true,
                problem: None,
                description: d.description.clone(),
                input: Some(d.input),
                classes: d.classes.clone(),
                train_size: d.train_labels.len(),
                test_size: d.test_labels.len(),
                preset: Some(d.preset.clone()),
                points: (d.input == InputKind::Points).then(|| {
                    d.train_x
                        .columns()
                        .into_iter()
                        .zip(&d.train_labels)
                        .take(MAX_DRAWN_POINTS)
                        .map(|(c, &l)| (c[0], c[1], l))
                        .collect()
                }),
            },
            Choice::Unavailable { id, name, problem } => DatasetInfo {
                id,
                name: name.clone(),
                available: false,
                problem: Some(problem.clone()),
                description: String::new(),
                input: None,
                classes: Vec::new(),
                train_size: 0,
                test_size: 0,
                preset: None,
                points: None,
            },
        }
    }
}

/// `GET /api/datasets`: every data set, its published set-up, and its points when 2-D.
pub async fn list(State(state): State<Arc<AppState>>) -> Json<Vec<DatasetInfo>> {
    Json(state.datasets.iter().map(DatasetInfo::of).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_guessed_from_their_size() {
        assert_eq!(
            InputKind::guess(12288),
            InputKind::Picture {
                height: 64,
                width: 64
            }
        );
        assert_eq!(
            InputKind::guess(192),
            InputKind::Picture {
                height: 8,
                width: 8
            }
        );
        assert_eq!(InputKind::guess(2), InputKind::Points);
        assert_eq!(InputKind::guess(12), InputKind::Table { features: 12 });
        assert_eq!(InputKind::guess(193), InputKind::Table { features: 193 });
    }

    #[test]
    fn the_built_in_sets_have_their_published_sizes() {
        let sizes: Vec<(usize, usize)> = [flower_set(), moons(), circles()]
            .iter()
            .map(|d| (d.train_labels.len(), d.test_labels.len()))
            .collect();
        assert_eq!(sizes, [(400, 400), (300, 100), (300, 100)]);
        for d in [flower_set(), moons(), circles()] {
            assert_eq!(d.preset.layers[0], 2, "{}", d.id);
            assert_eq!(d.train_x.nrows(), 2);
        }
    }
}
