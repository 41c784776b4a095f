//! The data sets the Train view offers: the cat pictures, the flower, the moons, the
//! circles, and the user's own (`--data`), each with its published set-up.
//!
//! Every set is loaded once, when the server starts, into a [`TrainingData`]: inputs one
//! column per example, the network's targets (class labels, or a regression's z-scored
//! numbers), and dnn-data's [`DataSpec`] (class names or target scale, input,
//! standardisation), which the trained model's file records. A set that cannot be loaded
//! (the cat files not fetched yet) is listed with the reason instead.
//!
//! The cat set and `--data` are read by dnn-data's [`dnn_data::dataset::load`]: a course
//! HDF5 directory, an image folder, a CSV table or an `.npz` archive, split and
//! standardised as `dnn` does it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::data::{cat_dir, load_for_training, regression_line, ReadFlags};
use axum::extract::State;
use axum::Json;
use dnn_core::NumpyRng;
use dnn_data::dataset::DEFAULT_SPLIT_SEED;
use dnn_data::planar::flower;
use dnn_data::toy::{make_circles, make_moons};
use dnn_data::{DataSpec, Dataset, Format, Input, LoadOptions, Source};
use ndarray::Array2;
use serde::Serialize;

use super::models::ModelTask;
use super::state::AppState;
use super::training::Setup;
use crate::presets::{preset, Arch};

/// The most points of a 2-D set sent to the page for drawing.
const MAX_DRAWN_POINTS: usize = 2000;

/// What one input (one column of `X`) is, as the page draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum InputKind {
    /// A picture, flattened as numpy does (`(row * width + col) * channels + channel`).
    Picture {
        /// Rows of pixels.
        height: usize,
        /// Columns of pixels.
        width: usize,
        /// 1 (grey), 3 (RGB) or 4 (RGBA).
        channels: usize,
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
    /// The page's view of dnn-data's [`Input`]: a table of two number columns is a plane.
    pub fn of(input: &Input) -> InputKind {
        match input {
            &Input::Picture {
                height,
                width,
                channels,
            } => InputKind::Picture {
                height,
                width,
                channels,
            },
            // Two number columns; a text column's inputs are no axis.
            Input::Table { one_hot, .. } if input.features() == 2 && one_hot.is_empty() => {
                InputKind::Points
            }
            Input::Table { .. } => InputKind::Table {
                features: input.features(),
            },
        }
    }

    /// What an input of `features` numbers most likely is, when a model file does not say:
    /// an RGB picture when `features` is `3 s²` for a side `s` of at least 8 pixels, a point
    /// when it is 2, else a row of a table.
    pub fn guess(features: usize) -> InputKind {
        let side = ((features / 3) as f64).sqrt().round() as usize;
        if side >= 8 && 3 * side * side == features {
            InputKind::Picture {
                height: side,
                width: side,
                channels: 3,
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
            InputKind::Picture {
                height,
                width,
                channels,
            } => height * width * channels,
            InputKind::Points => 2,
            InputKind::Table { features } => features,
        }
    }
}

/// A data set ready for training: `(features, m)` inputs, the network's targets, and what
/// they mean.
#[derive(Debug, Clone)]
pub struct TrainingData {
    /// The identifier the page sends (`cat`, `flower`, `moons`, `circles`, `data`).
    pub id: &'static str,
    /// A short name for people.
    pub name: String,
    /// Where it comes from, in a sentence.
    pub description: String,
    /// Class names or target scale, input, standardisation: what the trained model's file
    /// records.
    pub spec: DataSpec,
    /// What an input is, for the page.
    pub input: InputKind,
    /// Training inputs, one column per example.
    pub train_x: Array2<f64>,
    /// The network's training targets, as `dnn train` makes them ([`Dataset::train_y`]):
    /// 0/1 or one-hot labels, or a regression's z-scored numbers.
    pub train_y: Array2<f64>,
    /// The class of each training example (none for a regression).
    pub train_labels: Vec<usize>,
    /// A regression's training targets in their own units (none for a classifier).
    pub train_values: Vec<f64>,
    /// Test inputs, one column per example.
    pub test_x: Array2<f64>,
    /// The network's test targets ([`Dataset::test_y`]).
    pub test_y: Array2<f64>,
    /// The class of each test example (none for a regression).
    pub test_labels: Vec<usize>,
    /// A regression's test targets in their own units (none for a classifier).
    pub test_values: Vec<f64>,
    /// Where it comes from: the format, the path and how the test part was split off, when
    /// the source had none. A generated set has its name for a path and no split.
    pub source: Source,
    /// The seed a validation part is chosen with (`--split-seed`, as `dnn train` chooses it).
    pub validation_seed: u32,
    /// The published set-up for this set: the form's defaults.
    pub preset: Setup,
}

impl TrainingData {
    /// A set read by dnn-data, with `preset` (its first and last layer sized to the data).
    fn of(
        id: &'static str,
        name: String,
        description: String,
        data: Dataset,
        validation_seed: u32,
    ) -> TrainingData {
        let preset = preset_for(id, &data.spec);
        TrainingData {
            id,
            name,
            description,
            input: InputKind::of(&data.spec.input),
            train_y: data.train_y(),
            test_y: data.test_y(),
            spec: data.spec,
            train_x: data.train_x,
            train_labels: data.train_labels,
            train_values: data.train_values,
            test_x: data.test_x,
            test_labels: data.test_labels,
            test_values: data.test_values,
            source: data.source,
            validation_seed,
            preset,
        }
    }

    /// A copy of the training part as dnn-data's [`Dataset`] (its test part empty, no
    /// pictures), for one run to hold a validation part out of ([`Dataset::hold_out`]).
    pub fn training_part(&self) -> Dataset {
        Dataset {
            train_x: self.train_x.clone(),
            train_labels: self.train_labels.clone(),
            train_values: self.train_values.clone(),
            test_x: Array2::zeros((self.train_x.nrows(), 0)),
            test_labels: Vec::new(),
            test_values: Vec::new(),
            spec: self.spec.clone(),
            source: self.source.clone(),
            train_images: None,
            test_images: None,
        }
    }

    /// Examples of each class, over both parts (none for a regression).
    pub fn class_counts(&self) -> Vec<usize> {
        let labels = self.train_labels.iter().chain(&self.test_labels);
        crate::metrics::class_counts(labels, self.spec.classes.len())
    }

    /// Whether it is a regression: a number to predict rather than a class.
    pub fn is_regression(&self) -> bool {
        self.spec.regression.is_some()
    }

    /// Whether the page draws its decision boundary: a classifier of points of the plane.
    pub fn draws_boundary(&self) -> bool {
        self.input == InputKind::Points && !self.is_regression()
    }

    /// A generated 2-D set: columns `x1`, `x2`, 0/1 labels named `classes`. Its source is a
    /// table of two number columns that no file holds: its path is its name.
    fn points(
        id: &'static str,
        name: &str,
        description: &str,
        classes: [&str; 2],
        (train_x, train_y): (Array2<f64>, Array2<f64>),
        (test_x, test_y): (Array2<f64>, Array2<f64>),
        preset: Setup,
    ) -> TrainingData {
        let input = Input::Table {
            columns: vec!["x1".into(), "x2".into()],
            target: "class".into(),
            one_hot: Vec::new(),
            filled: Vec::new(),
            dates: Vec::new(),
        };
        TrainingData {
            id,
            name: name.into(),
            description: description.into(),
            input: InputKind::of(&input),
            spec: DataSpec {
                ranges: None,
                regression: None,
                classes: classes.iter().map(|c| c.to_string()).collect(),
                input,
                standardization: None,
            },
            train_labels: labels(&train_y),
            test_labels: labels(&test_y),
            train_values: Vec::new(),
            test_values: Vec::new(),
            train_x,
            train_y,
            test_x,
            test_y,
            source: Source {
                format: Format::Csv,
                path: PathBuf::from(name),
                split: None,
                skipped_files: 0,
                unread: Vec::new(),
                numeric_inputs: true,
                unseen: Vec::new(),
                text_counts: Vec::new(),
                sha256: None,
                whole: false,
                left_out_columns: Vec::new(),
                image_csv: None,
                table_warnings: Vec::new(),
                decimal_comma: false,
                parse_numbers: false,
                groups: None,
            },
            validation_seed: DEFAULT_SPLIT_SEED,
            preset,
        }
    }
}

/// A data set of the list, or why it cannot be used.
#[derive(Debug, Clone)]
pub enum Choice {
    /// Loaded.
    Ready(Arc<TrainingData>),
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
pub fn all(user: Option<TrainingData>) -> Vec<Choice> {
    let mut out = vec![cat(), Choice::Ready(Arc::new(flower_set()))];
    out.push(Choice::Ready(Arc::new(moons())));
    out.push(Choice::Ready(Arc::new(circles())));
    out.extend(user.map(|d| Choice::Ready(Arc::new(d))));
    out
}

/// The course's cat pictures, if fetched.
fn cat() -> Choice {
    let dir = cat_dir();
    let options = LoadOptions {
        format: Some(Format::CourseH5),
        ..LoadOptions::default()
    };
    match dnn_data::load(&dir, &options) {
        Ok(data) => {
            let description = format!(
                "The course's cat/non-cat pictures from {}: {} training and {} test examples, {}.",
                dir.display(),
                data.train_len(),
                data.test_len(),
                data.spec.input.describe()
            );
            Choice::Ready(Arc::new(TrainingData::of(
                "cat",
                "Cat pictures".into(),
                description,
                data,
                DEFAULT_SPLIT_SEED,
            )))
        }
        Err(e) => Choice::Unavailable {
            id: "cat",
            name: "Cat pictures".into(),
            problem: format!(
                "{e}; put train_catvnoncat.h5 and test_catvnoncat.h5 in {} (`cargo xtask \
                 fetch-data` in dnn's repository), or set DNN_DATA_DIR to their folder",
                dir.display()
            ),
        },
    }
}

/// `--data PATH`: the user's own set, in any format dnn-data reads (a course HDF5
/// directory, an image folder, a CSV table, an `.npz` archive), read as `dnn train` reads it
/// with the same flags: split 80/20 when it has no test part and standardised when its
/// inputs are not pictures unless they say otherwise, with the same warnings.
///
/// A set whose target is a number to predict (a regression, as `dnn train` reads a CSV
/// column of numbers with fractions, or with `--task regress`) is trained as `dnn train`
/// trains it: one identity output on the z-scored target; its description says so with
/// `dnn train`'s `Target:` line ([`regression_line`]).
pub fn load_user(path: &Path, reading: &ReadFlags) -> anyhow::Result<TrainingData> {
    // Any run may hold out a validation part, which `--split-seed` seeds: the flag is taken
    // for a source with its own test part too.
    let reading = ReadFlags {
        holds_out: true,
        ..reading.clone()
    };
    let data = load_for_training(path, &reading)?;
    let split = crate::data::split_words(&data).map_or(String::new(), |s| format!(" (a {s})"));
    let (classes, target) = match regression_line(&data, reading.task) {
        Some(target) => (String::new(), format!(". {target}")),
        None => (
            format!(", classes {}", data.spec.classes.join(", ")),
            String::new(),
        ),
    };
    let description = format!(
        "Your data from {} ({}): {} training and {} test examples{split} of {}{classes}{}{target}.",
        path.display(),
        data.source.format.name(),
        data.train_len(),
        data.test_len(),
        data.spec.input.describe(),
        if data.spec.standardization.is_some() {
            "; standardised on the training part"
        } else {
            ""
        }
    );
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let seed = reading.split_seed.unwrap_or(DEFAULT_SPLIT_SEED);
    Ok(TrainingData::of("data", name, description, data, seed))
}

/// The form's defaults for a set read by dnn-data: the published deep network for
/// pictures, a small Adam-trained network for tables; the data's output layer, as
/// `dnn train` chooses it (one sigmoid unit for two classes, one softmax unit per class for
/// more, one identity unit for a regression).
fn preset_for(id: &'static str, spec: &DataSpec) -> Setup {
    let features = spec.input.features();
    let outputs = spec.outputs();
    let output = spec.output_activation().name();
    match spec.input {
        Input::Picture { .. } => {
            let deep = preset(Arch::Deep);
            let mut layers = vec![features];
            layers.extend(&deep.hidden);
            layers.push(outputs);
            Setup {
                dataset: id.into(),
                layers,
                hidden: "relu".into(),
                output: output.into(),
                init: deep.init.name().into(),
                seed: deep.seed,
                optimizer: "gd".into(),
                learning_rate: deep.learning_rate,
                batch_size: None,
                iterations: deep.iterations,
                validation_split: None,
                early_stopping: false,
                patience: None,
                min_delta: None,
                class_weight: None,
            }
        }
        Input::Table { .. } => Setup {
            dataset: id.into(),
            layers: vec![features, 16, 8, outputs],
            hidden: "relu".into(),
            output: output.into(),
            init: "he".into(),
            seed: 1,
            optimizer: "adam".into(),
            learning_rate: 0.01,
            batch_size: Some(32),
            iterations: 200,
            validation_split: None,
            early_stopping: false,
            patience: None,
            min_delta: None,
            class_weight: None,
        },
    }
}

/// The flower of the shallow chapter, and the exercise's `nn_model(n_h = 4,
/// num_iterations = 10000)` (accuracy 90 %).
fn flower_set() -> TrainingData {
    TrainingData::points(
        "flower",
        "Flower",
        "The shallow chapter's flower: 400 points of 2 petal colours from seed 1; the test set \
         is a fresh draw from seed 2.",
        ["red", "blue"],
        flower(1),
        flower(2),
        Setup {
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
            validation_split: None,
            early_stopping: false,
            patience: None,
            min_delta: None,
            class_weight: None,
        },
    )
}

/// The "Optimization methods" assignment's moons and its Adam set-up (accuracy 94 %).
fn moons() -> TrainingData {
    TrainingData::points(
        "moons",
        "Moons",
        "scikit-learn's make_moons(300, noise 0.2) after np.random.seed(3), as the \
         \"Optimization methods\" assignment; the test set is a fresh draw of 100 from seed 4.",
        ["class 0", "class 1"],
        make_moons(300, true, Some(0.2), &mut NumpyRng::new(3)),
        make_moons(100, true, Some(0.2), &mut NumpyRng::new(4)),
        Setup {
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
            validation_split: None,
            early_stopping: false,
            patience: None,
            min_delta: None,
            class_weight: None,
        },
    )
}

/// The "Initialization" assignment's circles and its He set-up (train 0.9933, test 0.96).
fn circles() -> TrainingData {
    TrainingData::points(
        "circles",
        "Circles",
        "scikit-learn's make_circles(noise 0.05): 300 training points after np.random.seed(1) \
         and 100 test points after np.random.seed(2), as the \"Initialization\" assignment.",
        ["outer", "inner"],
        make_circles(300, true, Some(0.05), 0.8, &mut NumpyRng::new(1)),
        make_circles(100, true, Some(0.05), 0.8, &mut NumpyRng::new(2)),
        Setup {
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
            validation_split: None,
            early_stopping: false,
            patience: None,
            min_delta: None,
            class_weight: None,
        },
    )
}

/// Class indices from a `(1, m)` row of 0.0/1.0 labels.
fn labels(y: &Array2<f64>) -> Vec<usize> {
    y.iter().map(|&v| usize::from(v > 0.5)).collect()
}

/// `Uneven classes: `rare` is 40 of 400 rows (10.0 %), ...`, when the largest of `d`'s
/// classes outnumbers the rarest [`crate::class_weight::UNEVEN`] times or more over all its
/// examples (as `dnn describe` and `dnn train` tell them), with what the Class weights field
/// can do for it.
fn uneven(d: &TrainingData) -> Option<String> {
    let classes = &d.spec.classes;
    let all = d.class_counts();
    let train = crate::metrics::class_counts(&d.train_labels, classes.len());
    let field = |value: &str| format!("the Class weights field's `{value}`");
    crate::class_weight::uneven(classes, &all, "rows").map(|facts| {
        format!(
            "{facts}; {}",
            crate::class_weight::uneven_advice(classes, &train, field)
        )
    })
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
    /// `classify`, or `regress` for a number to predict (then `classes` is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<ModelTask>,
    /// A regression's target column.
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    classes: Vec<String>,
    train_size: usize,
    test_size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<Setup>,
    /// When the largest class outnumbers the rarest 5 to 1 over all the examples, as `dnn
    /// describe` says it, and what class weights do for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    uneven: Option<String>,
    /// For 2-D classifiers: the training points `[x1, x2, class]`, to draw under the
    /// boundary.
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
                task: Some(if d.is_regression() {
                    ModelTask::Regress
                } else {
                    ModelTask::Classify
                }),
                target: d
                    .is_regression()
                    .then(|| d.spec.target().unwrap_or("y").to_owned()),
                classes: d.spec.classes.clone(),
                train_size: d.train_x.ncols(),
                test_size: d.test_x.ncols(),
                preset: Some(d.preset.clone()),
                uneven: uneven(d),
                points: d.draws_boundary().then(|| {
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
                task: None,
                target: None,
                classes: Vec::new(),
                train_size: 0,
                test_size: 0,
                preset: None,
                uneven: None,
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
                width: 64,
                channels: 3
            }
        );
        assert_eq!(
            InputKind::guess(192),
            InputKind::Picture {
                height: 8,
                width: 8,
                channels: 3
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
            .map(|d| (d.train_labels.len(), d.test_x.ncols()))
            .collect();
        assert_eq!(sizes, [(400, 400), (300, 100), (300, 100)]);
        for d in [flower_set(), moons(), circles()] {
            assert_eq!(d.preset.layers[0], 2, "{}", d.id);
            assert_eq!(d.train_x.nrows(), 2);
        }
    }
}
