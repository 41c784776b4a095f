//! Model files: a trained [`Network`] as HDF5 that h5py opens as it is.
//!
//! Layout (format version 2):
//! * datasets `W1..WL` (shape `(n[l], n[l-1])`) and `b1..bL` (shape `(n[l], 1)`), in the
//!   dtype the network was trained in (`f32` or `f64`);
//! * root attributes `format = "dnn-model"`, `format_version = 2`, `dtype`,
//!   `layer_sizes` (integers), `activations` (comma-separated, e.g. `"relu,relu,sigmoid"`),
//!   and the training set-up where known: `arch`, `init`, `seed`, `learning_rate`,
//!   `iterations`, `iterations_run`, `batches_run`, `final_cost`, `optimizer`, `batch_size`, `l2`,
//!   `keep_prob`, `test_split`, `split_seed`, `validation_split`, `patience`, `min_delta`,
//!   `data` (the training data's file or folder name), `data_sha256`
//!   ([`crate::fingerprint`]), `started_from` (`dnn train --from`'s model file) and
//!   `unlabeled_dropped` (the data's rows left out for having no label), `decimal`
//!   (`"comma"` when its numbers were read with decimal commas), `image_dir` and
//!   `image_suffix` (where an image CSV's names were taken from), `group_by` (the column
//!   of groups its split kept whole) and `class_weights` (float64, one per class: each class's
//!   weight in the cost, `dnn train --class-weight`);
//! * what the inputs and outputs mean ([`DataSpec`]), when the file records it: dataset
//!   `classes` (fixed-length UTF-8 strings, in index order); attribute `input`
//!   (`"picture"` or `"table"`) with, for pictures, attribute `picture_shape`
//!   `[height, width, channels]` and, for tables, dataset `columns` (the feature columns'
//!   names, in input order) and attribute `target` (the label column); and, when the
//!   inputs are standardised, datasets `mean` and `std` (float64, one per input): the
//!   network sees `(x - mean) / std`; for a table, datasets `input_min` and `input_max`
//!   (float64, one per input): each input's smallest and largest value over the training
//!   part, as the network saw it ([`crate::ranges`]; absent in files written before dnn
//!   recorded them); for a regression (an identity output), `classes` is
//!   empty and attributes `target_mean` and `target_std` (float64) undo the target's
//!   z-score: the predicted value is `output * target_std + target_mean`.
//!
//! ```python
//! import h5py
//! f = h5py.File("model.h5")
//! W1 = f["W1"][:]                                  # (20, 12288)
//! print(dict(f.attrs))                             # layer_sizes, activations, input, ...
//! classes = [c.decode() for c in f["classes"][:]]  # ['non-cat', 'cat']
//! ```
//!
//! A file whose `format` is not `dnn-model`, or whose `format_version` is newer than
//! [`FORMAT_VERSION`], is refused; one without them (numpy's, version 1) is read.
//!
//! Files that only hold `W1..WL` and `b1..bL` (saved from numpy, say) load too: they are
//! read as the exercise's relu/sigmoid network. Files without `classes` (version 1, or
//! numpy's) of the cat classifier's shape (12288 inputs, 1 output) are read as the cat
//! classifier ([`DataSpec::cat`]); others have no [`Model::spec`].

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use dnn_core::{Activation, Float, Layer, Network};
use hdf5::types::{FixedAscii, FixedUnicode, FloatSize, TypeDescriptor};
use hdf5::H5Type;
use ndarray::{Array1, Array2};

use crate::atomic::write_atomically;
use crate::dataset::{DataSpec, Input, OneHot};
use crate::dates::{DateColumn, DateOrder, DatePart};
use crate::error::{shown, DataError, Result};
use crate::missing::Filled;
use crate::ranges::InputRanges;
use crate::standardize::Standardization;
use crate::target::TargetScale;

/// The value of the `format` attribute.
pub const FORMAT: &str = "dnn-model";
/// The value of the `format_version` attribute this crate writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;

/// Refuses a model file of a newer format than this dnn writes: what its tensors and
/// attributes mean may have changed, so reading it as this version could predict wrong
/// numbers without a word. Older versions (and files without one) are read.
///
/// ```
/// use dnn_data::model::{check_format_version, FORMAT_VERSION};
/// assert!(check_format_version(FORMAT_VERSION).is_ok());
/// assert_eq!(
///     check_format_version(99).unwrap_err(),
///     "written by a newer dnn (format_version 99; this one reads up to 2): update dnn"
/// );
/// ```
pub fn check_format_version(version: u32) -> std::result::Result<(), String> {
    if version > FORMAT_VERSION {
        return Err(format!(
            "written by a newer dnn (format_version {version}; this one reads up to \
             {FORMAT_VERSION}): update dnn"
        ));
    }
    Ok(())
}

/// How a model was trained, stored as attributes next to its weights. Every field is
/// optional: a file written by someone else may not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingSetup {
    /// The named set-up (`deep`, `two-layer`, `logistic`, ...).
    pub arch: Option<String>,
    /// The initialisation scheme's name.
    pub init: Option<String>,
    /// The seed of the random generator.
    pub seed: Option<u64>,
    /// The learning rate α.
    pub learning_rate: Option<f64>,
    /// The planned number of iterations.
    pub iterations: Option<u64>,
    /// The number of iterations that made these parameters: those that ran (fewer when
    /// interrupted), or with early stopping up to the best one.
    pub iterations_run: Option<u64>,
    /// With mini-batches, a run stopped inside an epoch (Ctrl-C): the mini-batches of the
    /// epoch after `iterations_run` whose updates the parameters also hold. Absent when
    /// the parameters are those of whole epochs.
    pub batches_run: Option<u64>,
    /// The cost at the last of those iterations.
    pub final_cost: Option<f64>,
    /// The optimiser's name (`gd`, `momentum`, `adam`).
    pub optimizer: Option<String>,
    /// The mini-batch size (absent: full batch).
    pub batch_size: Option<u64>,
    /// L2 regularisation's λ.
    pub l2: Option<f64>,
    /// Dropout's keep probability on the hidden layers.
    pub keep_prob: Option<f64>,
    /// The fraction of each class split off as the test part (sources without one).
    pub test_split: Option<f64>,
    /// The seed of that split.
    pub split_seed: Option<u64>,
    /// The fraction of the training part held out to watch training on (of each class, for
    /// classes), when one was.
    pub validation_split: Option<f64>,
    /// Early stopping's patience, in iterations (epochs, with mini-batches), when training
    /// stopped on the validation cost; the parameters are then the best iteration's.
    pub patience: Option<u64>,
    /// Early stopping's least improvement of the validation cost.
    pub min_delta: Option<f64>,
    /// The name of the data it was trained on: the file or folder name given, without the
    /// folders above it.
    pub data: Option<String>,
    /// The SHA-256 of that data ([`crate::fingerprint`], [`crate::Source::sha256`]), which
    /// tells it from new data.
    pub data_sha256: Option<String>,
    /// The name of the model file whose parameters training started from (`dnn train
    /// --from`), rather than from an initialisation.
    pub started_from: Option<String>,
    /// The rows of its data left out for having no label (`dnn train --drop-unlabeled`,
    /// [`crate::table::unlabeled`]); absent when they were not left out (a row without a
    /// label was then refused). Reading the data again for this model leaves them out too.
    pub unlabeled_dropped: Option<u64>,
    /// The decimal mark its data's numbers were read with, when not a point: `comma`
    /// (`dnn train --decimal-comma`). Reading data for this model reads decimal commas too.
    pub decimal: Option<String>,
    /// How its data's numbers were read, when not only as plain numbers: `as-written`
    /// (`dnn train --parse-numbers`: currency and percent signs dropped, thousands
    /// separators read). Reading data for this model reads them so too.
    pub numbers: Option<String>,
    /// An image CSV's folder of pictures, as given (`--image-dir`), when not its own.
    pub image_dir: Option<String>,
    /// The suffix appended to an image CSV's names (`--image-suffix`), when one was.
    pub image_suffix: Option<String>,
    /// The column of the rows' groups its data's split kept whole (`--group-by`), when it
    /// was split so; reading its data again splits it so.
    pub group_by: Option<String>,
    /// Each class's weight in the cost it was trained on (`dnn train --class-weight`,
    /// [`dnn_core::ClassWeights`]), in the order of the classes, when the classes were
    /// weighed; its `final_cost` is then the weighted cost.
    pub class_weights: Option<Vec<f64>>,
}

/// [`TrainingSetup::decimal`] for numbers read with decimal commas.
pub const DECIMAL_COMMA: &str = "comma";

/// [`TrainingSetup::numbers`] for numbers read as written by hand (`--parse-numbers`).
pub const NUMBERS_AS_WRITTEN: &str = "as-written";

impl TrainingSetup {
    /// The text fields as `(attribute, value)` pairs, named as in the model file.
    pub(crate) fn texts(&self) -> [(&'static str, &Option<String>); 11] {
        [
            ("arch", &self.arch),
            ("init", &self.init),
            ("optimizer", &self.optimizer),
            ("data", &self.data),
            ("data_sha256", &self.data_sha256),
            ("started_from", &self.started_from),
            ("decimal", &self.decimal),
            ("numbers", &self.numbers),
            ("image_dir", &self.image_dir),
            ("image_suffix", &self.image_suffix),
            ("group_by", &self.group_by),
        ]
    }

    /// Whether its data's numbers were read with decimal commas ([`TrainingSetup::decimal`]).
    pub fn decimal_comma(&self) -> bool {
        self.decimal.as_deref() == Some(DECIMAL_COMMA)
    }

    /// Whether its data's numbers were read as written by hand ([`TrainingSetup::numbers`]).
    pub fn parse_numbers(&self) -> bool {
        self.numbers.as_deref() == Some(NUMBERS_AS_WRITTEN)
    }

    /// The whole-number fields as `(attribute, value)` pairs, named as in the model file.
    pub(crate) fn counts(&self) -> [(&'static str, Option<u64>); 8] {
        [
            ("seed", self.seed),
            ("iterations", self.iterations),
            ("iterations_run", self.iterations_run),
            ("batches_run", self.batches_run),
            ("batch_size", self.batch_size),
            ("split_seed", self.split_seed),
            ("patience", self.patience),
            ("unlabeled_dropped", self.unlabeled_dropped),
        ]
    }

    /// The real-number fields as `(attribute, value)` pairs, named as in the model file.
    pub(crate) fn reals(&self) -> [(&'static str, Option<f64>); 7] {
        [
            ("learning_rate", self.learning_rate),
            ("final_cost", self.final_cost),
            ("l2", self.l2),
            ("keep_prob", self.keep_prob),
            ("test_split", self.test_split),
            ("validation_split", self.validation_split),
            ("min_delta", self.min_delta),
        ]
    }

    /// Whether the values that a reader acts on are usable: the split fractions in (0, 1), a
    /// split seed of 32 bits (numpy's `RandomState`), a patience of at least 1 and a finite
    /// `min_delta >= 0`. A file that breaks one was edited by hand or written elsewhere; its
    /// message names the attribute.
    ///
    /// ```
    /// use dnn_data::model::TrainingSetup;
    /// assert!(TrainingSetup { validation_split: Some(0.1), ..Default::default() }.check().is_ok());
    /// let bad = TrainingSetup { validation_split: Some(1.5), ..Default::default() };
    /// assert_eq!(bad.check().unwrap_err(), "its validation_split is 1.5: it must be a fraction in (0, 1)");
    /// ```
    ///
    /// # Errors
    /// The first unusable value, as one line.
    pub fn check(&self) -> std::result::Result<(), String> {
        for (name, fraction) in [
            ("test_split", self.test_split),
            ("validation_split", self.validation_split),
        ] {
            if let Some(f) = fraction.filter(|f| !(*f > 0.0 && *f < 1.0)) {
                return Err(format!(
                    "its {name} is {f}: it must be a fraction in (0, 1)"
                ));
            }
        }
        if let Some(seed) = self.split_seed.filter(|&s| s > u64::from(u32::MAX)) {
            return Err(format!(
                "its split_seed is {seed}: it must be a seed of 32 bits (at most {})",
                u32::MAX
            ));
        }
        if let Some(mark) = self.decimal.as_deref().filter(|&m| m != DECIMAL_COMMA) {
            return Err(format!(
                "its decimal is `{mark}`: it must be `{DECIMAL_COMMA}` or absent"
            ));
        }
        if let Some(how) = self.numbers.as_deref().filter(|&n| n != NUMBERS_AS_WRITTEN) {
            return Err(format!(
                "its numbers is `{}`: it must be `{NUMBERS_AS_WRITTEN}` or absent",
                shown(how)
            ));
        }
        if self.patience == Some(0) {
            return Err("its patience is 0: it must be at least 1".to_owned());
        }
        if let Some(w) =
            (self.class_weights.iter().flatten()).find(|w| !(w.is_finite() && **w > 0.0))
        {
            return Err(format!(
                "its class_weights hold {w}: each must be a finite number > 0"
            ));
        }
        if let Some(d) = self.min_delta.filter(|d| !(d.is_finite() && *d >= 0.0)) {
            return Err(format!(
                "its min_delta is {d}: it must be a finite number, 0 or more"
            ));
        }
        if let Some(h) = self
            .data_sha256
            .as_deref()
            .filter(|h| !crate::fingerprint::is_sha256(h))
        {
            return Err(format!(
                "its data_sha256 is {:?}: it must be a SHA-256 in 64 lowercase hex digits",
                shown(h)
            ));
        }
        Ok(())
    }
}

/// A network of either element type, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyNetwork {
    /// Trained and stored in `f32`.
    F32(Network<f32>),
    /// Trained and stored in `f64`.
    F64(Network<f64>),
}

impl AnyNetwork {
    /// `"f32"` or `"f64"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            AnyNetwork::F32(_) => f32::NAME,
            AnyNetwork::F64(_) => f64::NAME,
        }
    }

    /// The network in `F`: every parameter as stored when that is its type, else converted
    /// (`f32` to `f64` exactly, `f64` to `f32` rounded to nearest), for training on from it.
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use dnn_data::model::AnyNetwork;
    /// use ndarray::array;
    /// let net = Network::<f64>::from_layers(vec![Layer::new(array![[0.1]], array![[2.0]], Activation::Sigmoid)])?;
    /// let f32_net = AnyNetwork::F64(net).to_network::<f32>()?;
    /// assert_eq!(f32_net.layers()[0].weights()[[0, 0]], 0.1f32);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    ///
    /// # Errors
    /// None for a network read from a file (it was checked then); [`Network::from_layers`]'s.
    pub fn to_network<F: Float>(&self) -> dnn_core::Result<Network<F>> {
        fn convert<F: Float, G: Float>(net: &Network<G>) -> dnn_core::Result<Network<F>> {
            let cast = |a: &Array2<G>| a.mapv(|v| F::of(v.to_f64_lossless()));
            let layers = net
                .layers()
                .iter()
                .map(|l| dnn_core::Layer::new(cast(l.weights()), cast(l.bias()), l.activation()))
                .collect();
            Network::from_layers(layers)
        }
        match self {
            AnyNetwork::F32(n) => convert(n),
            AnyNetwork::F64(n) => convert(n),
        }
    }

    /// `[n[0], ..., n[L]]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        match self {
            AnyNetwork::F32(n) => n.layer_sizes(),
            AnyNetwork::F64(n) => n.layer_sizes(),
        }
    }

    /// `n[L]`: 1 (a sigmoid unit for two classes) or one softmax unit per class.
    pub fn output_size(&self) -> usize {
        match self {
            AnyNetwork::F32(n) => n.output_size(),
            AnyNetwork::F64(n) => n.output_size(),
        }
    }

    /// The output layer's activation: sigmoid or softmax for a classifier, identity for a
    /// regression.
    pub fn output_activation(&self) -> Activation {
        match self {
            AnyNetwork::F32(n) => n.output_activation(),
            AnyNetwork::F64(n) => n.output_activation(),
        }
    }

    /// The output probabilities (a regression's outputs) for `x` given in `f64` (converted to `f32` first for an
    /// `f32` network), as `f64`.
    ///
    /// # Errors
    /// As [`Network::predict_proba`], and [`dnn_core::DnnError::BeyondF32`] for a finite value
    /// of `x` too large for an `f32` network.
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use dnn_data::model::AnyNetwork;
    /// use ndarray::array;
    /// let net = Network::<f32>::from_layers(vec![Layer::new(array![[1.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// let err = AnyNetwork::F32(net).predict_proba(&array![[1e40]]).unwrap_err();
    /// assert!(err.to_string().starts_with("X holds 1e40 at row 0, column 0 (input 0 of example 0), beyond f32's range"));
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    pub fn predict_proba<'a>(
        &self,
        x: impl ndarray::AsArray<'a, f64, ndarray::Ix2>,
    ) -> dnn_core::Result<Array2<f64>> {
        let x = x.into();
        match self {
            AnyNetwork::F32(n) => Ok(n.predict_proba(&as_f32(x)?)?.mapv(f64::from)),
            AnyNetwork::F64(n) => n.predict_proba(x),
        }
    }

    /// The predicted class of each column of `x`: `AL > 0.5` for one sigmoid output, the
    /// most probable class for a softmax output ([`dnn_core::classes_of`]).
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use dnn_data::model::AnyNetwork;
    /// use ndarray::array;
    /// let net = Network::<f32>::from_layers(vec![Layer::new(array![[1.0]], array![[0.0]], Activation::Sigmoid)])?;
    /// assert_eq!(AnyNetwork::F32(net).predict_classes(&array![[-1.0, 0.0, 2.0]])?, vec![0, 0, 1]);
    /// # Ok::<(), dnn_core::DnnError>(())
    /// ```
    pub fn predict_classes(&self, x: &Array2<f64>) -> dnn_core::Result<Vec<usize>> {
        match self {
            AnyNetwork::F32(n) => n.predict_classes(&as_f32(x.view())?),
            AnyNetwork::F64(n) => n.predict_classes(x),
        }
    }
}

/// The probability a network gave to class `class` of one example, from its output column
/// `p` (`n[L]` values): `p[0]` or `1 - p[0]` for one sigmoid output, `p[class]` for softmax.
///
/// ```
/// use dnn_data::model::class_probability;
/// use ndarray::array;
/// assert_eq!(class_probability(array![0.75].view(), 1), 0.75);
/// assert_eq!(class_probability(array![0.75].view(), 0), 0.25);
/// assert_eq!(class_probability(array![0.2, 0.5, 0.3].view(), 2), 0.3);
/// ```
///
/// # Panics
/// If `class` is not a class of the network: at least 2 for one sigmoid output, at least
/// `p.len()` for softmax.
pub fn class_probability(p: ndarray::ArrayView1<'_, f64>, class: usize) -> f64 {
    let classes = p.len().max(2);
    assert!(
        class < classes,
        "class {class} of a network of {classes} classes"
    );
    if p.len() == 1 {
        if class == 1 {
            p[0]
        } else {
            1.0 - p[0]
        }
    } else {
        p[class]
    }
}

/// A model file's contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The network.
    pub network: AnyNetwork,
    /// How it was trained, as far as the file says.
    pub setup: TrainingSetup,
    /// What its inputs and outputs mean: recorded by `dnn train`, inferred for older cat
    /// classifiers, `None` when the file does not say.
    pub spec: Option<DataSpec>,
}

/// One example's prediction by a [`Model`]: the most probable class, its name and the
/// probability the network gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The class index (the order of [`DataSpec::classes`]).
    pub class: usize,
    /// The class name, or the index as text when the model file names no classes.
    pub name: String,
    /// The probability of that class ([`class_probability`]).
    pub probability: f64,
}

impl From<Network<f64>> for AnyNetwork {
    fn from(network: Network<f64>) -> AnyNetwork {
        AnyNetwork::F64(network)
    }
}

impl From<Network<f32>> for AnyNetwork {
    fn from(network: Network<f32>) -> AnyNetwork {
        AnyNetwork::F32(network)
    }
}

impl Model {
    /// A model of a network trained in code: no training set-up recorded, and `spec` saying
    /// what its inputs and outputs mean (`None`: unknown), to predict, save
    /// ([`save_model_with`]) or export ([`crate::export::export`]) it.
    ///
    /// ```
    /// use dnn_core::{Network, NumpyRng};
    /// use dnn_data::model::Model;
    /// let net = Network::<f32>::builder(&[3, 4, 1]).build(&mut NumpyRng::new(1))?;
    /// let model = Model::new(net, None);
    /// assert_eq!(model.network.layer_sizes(), [3, 4, 1]);
    /// assert_eq!(model.predict(&ndarray::Array2::zeros((3, 2)))?.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(network: impl Into<AnyNetwork>, spec: Option<DataSpec>) -> Model {
        Model {
            network: network.into(),
            setup: TrainingSetup::default(),
            spec,
        }
    }

    /// Whether the model predicts a number (its file records a target scale,
    /// [`DataSpec::regression`]) rather than classes.
    pub fn is_regression(&self) -> bool {
        self.spec.as_ref().is_some_and(|s| s.regression.is_some())
    }

    /// The class probabilities of the inputs `x`, `(features, m)`, one column per example,
    /// given as the data were before training: the model's z-score ([`DataSpec`]'s
    /// standardisation), if it has one, is applied here first. `(n[L], m)`: one row for one
    /// sigmoid output, one per class for softmax.
    ///
    /// Forgetting that z-score is the easy mistake with `model.network.predict_proba`, which
    /// takes the network's own inputs: a table model then classifies raw values silently
    /// wrong.
    ///
    /// A picture model's inputs are its pixels as the data had them before training: bytes
    /// divided by 255 (what [`crate::image::load_picture`] gives), not raw 0–255 values.
    /// (An exported ONNX graph differs here: it takes raw 0–255 pixels and divides them
    /// itself, see [`crate::onnx`].)
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use dnn_data::model::{AnyNetwork, Model, TrainingSetup};
    /// use dnn_data::{DataSpec, Input, Standardization};
    /// use ndarray::array;
    ///
    /// // One input, z-scored with mean 10 and deviation 2, into one sigmoid unit.
    /// let layer = Layer::new(array![[1.0]], array![[0.0]], Activation::Sigmoid);
    /// let model = Model {
    ///     network: AnyNetwork::F64(Network::from_layers(vec![layer])?),
    ///     setup: TrainingSetup::default(),
    ///     spec: Some(DataSpec {
    ///         ranges: None,
    ///         classes: vec!["low".into(), "high".into()],
    ///         regression: None,
    ///         input: Input::Table { columns: vec!["x".into()], target: "y".into(), one_hot: vec![], filled: vec![], dates: vec![] },
    ///         standardization: Some(Standardization { mean: array![10.0], std: array![2.0] }),
    ///     }),
    /// };
    /// let p = model.predict_proba(&array![[10.0, 12.0]])?;
    /// assert_eq!(p[[0, 0]], 0.5); // sigmoid((10 - 10) / 2)
    /// let high = model.predict(&array![[12.0]])?;
    /// assert_eq!((high[0].class, high[0].name.as_str()), (1, "high"));
    /// assert!((high[0].probability - 0.731_058_578_630_004_9).abs() < 1e-15); // sigmoid(1)
    /// # Ok::<(), dnn_data::DataError>(())
    /// ```
    ///
    /// # Errors
    /// [`DataError::Network`] when `x` does not have the network's input count of rows.
    pub fn predict_proba(&self, x: &Array2<f64>) -> Result<Array2<f64>> {
        let z = self.spec.as_ref().and_then(|s| s.standardization.as_ref());
        let proba = match z {
            // Another width is left to the network, which names it.
            Some(z) if x.nrows() == z.len() => {
                let mut x = x.clone();
                z.apply(&mut x);
                self.network.predict_proba(&x)?
            }
            _ => self.network.predict_proba(x)?,
        };
        Ok(proba)
    }

    /// A regression model's predicted value of each example, in the target's units: the
    /// network's output on the z-scored inputs ([`Model::predict_proba`]) with the target's
    /// z-score undone ([`DataSpec::regression`]).
    ///
    /// ```
    /// use dnn_core::{Activation, Layer, Network};
    /// use dnn_data::model::{AnyNetwork, Model, TrainingSetup};
    /// use dnn_data::{DataSpec, Input, TargetScale};
    /// use ndarray::array;
    ///
    /// // One input into one identity unit, output 2x + 1, for a target of mean 100 and
    /// // deviation 10.
    /// let layer = Layer::new(array![[2.0]], array![[1.0]], Activation::Identity);
    /// let model = Model {
    ///     network: AnyNetwork::F64(Network::from_layers(vec![layer])?),
    ///     setup: TrainingSetup::default(),
    ///     spec: Some(DataSpec {
    ///         ranges: None,
    ///         classes: vec![],
    ///         regression: Some(TargetScale { mean: 100.0, std: 10.0 }),
    ///         input: Input::Table { columns: vec!["x".into()], target: "y".into(), one_hot: vec![], filled: vec![], dates: vec![] },
    ///         standardization: None,
    ///     }),
    /// };
    /// assert_eq!(model.predict_values(&array![[0.0, 1.5]])?, [110.0, 140.0]);
    /// # Ok::<(), dnn_data::DataError>(())
    /// ```
    ///
    /// # Errors
    /// [`DataError::NotARegression`] for a model that classifies (or records no target
    /// scale), and as [`Model::predict_proba`].
    pub fn predict_values(&self, x: &Array2<f64>) -> Result<Vec<f64>> {
        let Some(scale) = self.spec.as_ref().and_then(|s| s.regression) else {
            return Err(DataError::NotARegression);
        };
        Ok(scale.unscaled_all(&self.predict_proba(x)?))
    }

    /// Each example's most probable class, named, with its probability, after the model's
    /// z-score as [`Model::predict_proba`].
    ///
    /// # Errors
    /// [`DataError::Network`] with [`dnn_core::DnnError::NotAClassifier`] for a regression
    /// model ([`Model::predict_values`]), and as [`Model::predict_proba`].
    pub fn predict(&self, x: &Array2<f64>) -> Result<Vec<Prediction>> {
        Ok(self.predict_with_proba(x, None)?.0)
    }

    /// [`Model::predict`] and the network's output it was read from ([`Model::predict_proba`],
    /// one column per example), from one forward pass: for every class's probability beside
    /// the prediction (`dnn predict --probabilities`). With a `threshold`, a two-class model
    /// answers its second class where that class's probability is above it
    /// ([`dnn_core::classes_above`]; `dnn predict --threshold`); without, the most probable
    /// class.
    ///
    /// # Errors
    /// As [`Model::predict`].
    ///
    /// # Panics
    /// With a `threshold`, if the network has more than two outputs.
    pub fn predict_with_proba(
        &self,
        x: &Array2<f64>,
        threshold: Option<f64>,
    ) -> Result<(Vec<Prediction>, Array2<f64>)> {
        if !self.network.output_activation().classifies() {
            return Err(dnn_core::DnnError::NotAClassifier.into());
        }
        let proba = self.predict_proba(x)?;
        let classes = dnn_core::classes_at(proba.view(), threshold);
        let names = self.spec.as_ref().map(|s| &s.classes);
        let predictions = classes
            .iter()
            .zip(proba.columns())
            .map(|(&class, p)| Prediction {
                class,
                name: names
                    .and_then(|n| n.get(class).cloned())
                    .unwrap_or_else(|| class.to_string()),
                probability: class_probability(p, class),
            })
            .collect();
        Ok((predictions, proba))
    }
}

/// `x` rounded to `f32` for an `f32` network; a finite value beyond `f32`'s range would
/// become infinite there, and is refused as what it is ([`dnn_core::DnnError::BeyondF32`]).
pub(crate) fn as_f32(x: ndarray::ArrayView2<'_, f64>) -> dnn_core::Result<Array2<f32>> {
    if let Some(((row, col), &value)) = x
        .indexed_iter()
        .find(|(_, v)| v.is_finite() && (**v as f32).is_infinite())
    {
        return Err(dnn_core::DnnError::BeyondF32 { value, row, col });
    }
    Ok(x.mapv(|v| v as f32))
}

/// Saves `network` and `setup` to `path` atomically: the whole HDF5 file is built in
/// memory, then handed to [`write_atomically`], so a failed or interrupted save never
/// damages an existing file and never leaves part of one under `path`. The file records no
/// [`DataSpec`], and [`load_model`] gives it none ([`Model::spec`] is `None`), whatever its
/// shape; [`save_model_with`] records one.
pub fn save_model<F: Float + H5Type>(
    path: impl AsRef<Path>,
    network: &Network<F>,
    setup: &TrainingSetup,
) -> Result<()> {
    save(path.as_ref(), network, setup, None)
}

/// As [`save_model`], and records what the inputs and outputs mean (classes, input kind,
/// standardisation), so that `dnn evaluate` and `dnn predict` need nothing else.
///
/// # Errors
/// [`DataError::Write`], also when `spec` does not fit the network (class count against the
/// outputs, input size against the first layer).
pub fn save_model_with<F: Float + H5Type>(
    path: impl AsRef<Path>,
    network: &Network<F>,
    setup: &TrainingSetup,
    spec: &DataSpec,
) -> Result<()> {
    save(path.as_ref(), network, setup, Some(spec))
}

fn save<F: Float + H5Type>(
    path: &Path,
    network: &Network<F>,
    setup: &TrainingSetup,
    spec: Option<&DataSpec>,
) -> Result<()> {
    let bytes = built(network, setup, spec).map_err(|message| DataError::Write {
        path: path.to_path_buf(),
        message,
    })?;
    write_atomically(path, &bytes)
}

/// The bytes [`save_model`] (without `spec`) or [`save_model_with`] would write: the same
/// model file, built in memory, to send somewhere else than a file (a download, say).
///
/// # Errors
/// [`DataError::Write`] (named `in memory`) if `spec` does not fit the network or the HDF5
/// library cannot build the file.
pub fn encode_model<F: Float + H5Type>(
    network: &Network<F>,
    setup: &TrainingSetup,
    spec: Option<&DataSpec>,
) -> Result<Vec<u8>> {
    built(network, setup, spec).map_err(|message| DataError::Write {
        path: "in memory".into(),
        message,
    })
}

/// The model file's bytes, after checking that `spec` and `setup` (its values, its class
/// weights) fit `network`: what [`save_model`] writes and [`encode_model`] returns.
fn built<F: Float + H5Type>(
    network: &Network<F>,
    setup: &TrainingSetup,
    spec: Option<&DataSpec>,
) -> std::result::Result<Vec<u8>, String> {
    if let Some(spec) = spec {
        check_spec_of(network, spec)?;
    }
    setup.check()?;
    check_class_weights(setup, (network.output_activation(), network.output_size()))?;
    model_bytes(network, setup, spec).map_err(|e| e.to_string())
}

/// Whether `spec` fits `network` ([`check_spec`]).
fn check_spec_of<F: Float>(
    network: &Network<F>,
    spec: &DataSpec,
) -> std::result::Result<(), String> {
    check_spec(
        spec,
        network.input_size(),
        network.output_size(),
        network.output_activation(),
    )
}

/// Whether `spec` fits a network of `inputs` inputs and `outputs` outputs whose output layer
/// is `output`.
pub(crate) fn check_spec(
    spec: &DataSpec,
    inputs: usize,
    outputs: usize,
    output: Activation,
) -> std::result::Result<(), String> {
    match &spec.regression {
        Some(scale) => {
            scale.check()?;
            if !spec.classes.is_empty() {
                return Err(format!(
                    "it predicts a number but also names {} classes",
                    spec.classes.len()
                ));
            }
        }
        None if !output.classifies() => {
            return Err(format!(
                "its network's output layer is {output} (a regression), but it records classes \
                 and no target scale (target_mean, target_std)"
            ));
        }
        None if spec.classes.len() < 2 || spec.outputs() != outputs => {
            return Err(format!(
                "{} classes do not fit a network with {outputs} outputs (two classes take 1 sigmoid output, K > 2 take K)",
                spec.classes.len()
            ));
        }
        None => {}
    }
    if spec.outputs() != outputs || spec.regression.is_some() == output.classifies() {
        return Err(format!(
            "its network's output layer is {outputs} {output} unit(s), but {} takes {} {}",
            if spec.regression.is_some() {
                "a number to predict"
            } else {
                "its classes"
            },
            spec.outputs(),
            spec.output_activation()
        ));
    }
    if let Input::Table {
        columns,
        one_hot,
        filled,
        dates,
        ..
    } = &spec.input
    {
        if let Some((_, i)) = crate::classes::first_repeat(columns) {
            return Err(format!(
                "its column `{}` is listed twice",
                shown(&columns[i])
            ));
        }
        check_one_hot(columns, one_hot)?;
        check_dates(columns, one_hot, dates, filled)?;
        check_filled(columns, one_hot, filled)?;
    }
    // Checked: a product that wraps round to the network's inputs would pass, and then
    // size a picture of billions of rows.
    let features = spec.input.checked_features();
    if features != Some(inputs) {
        return Err(format!(
            "the input ({}) has {} features but the network takes {inputs}",
            spec.input.describe(),
            features.map_or("more".to_owned(), |n| n.to_string())
        ));
    }
    if let Some(z) = &spec.standardization {
        if z.mean.len() != inputs || z.std.len() != inputs {
            return Err(format!(
                "the standardisation has {} means and {} standard deviations for {inputs} inputs",
                z.mean.len(),
                z.std.len()
            ));
        }
        if let Some((i, v)) = z
            .mean
            .iter()
            .chain(&z.std)
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(format!("standardisation value {i} is {v}"));
        }
        if let Some((i, v)) = z.std.iter().enumerate().find(|(_, &v)| v <= 0.0) {
            return Err(format!("std[{i}] is {v}; standard deviations must be > 0"));
        }
    }
    if let Some(r) = &spec.ranges {
        if r.min.len() != inputs || r.max.len() != inputs {
            return Err(format!(
                "input_min has {} values and input_max {} for {inputs} inputs",
                r.min.len(),
                r.max.len()
            ));
        }
        if let Some(i) = (0..inputs)
            .find(|&i| !(r.min[i].is_finite() && r.max[i].is_finite() && r.min[i] <= r.max[i]))
        {
            return Err(format!(
                "input {i}'s training range is {} to {}, not two finite numbers in order",
                r.min[i], r.max[i]
            ));
        }
    }
    Ok(())
}

/// Each text column is one of the columns, once, with at least one value and no value twice.
fn check_one_hot(columns: &[String], one_hot: &[OneHot]) -> std::result::Result<(), String> {
    for (k, h) in one_hot.iter().enumerate() {
        if !columns.contains(&h.column) {
            return Err(format!(
                "its text column `{}` is not one of its columns",
                shown(&h.column)
            ));
        }
        if one_hot[..k].iter().any(|e| e.column == h.column) {
            return Err(format!(
                "its text column `{}` is listed twice",
                shown(&h.column)
            ));
        }
        if h.values.is_empty() {
            return Err(format!(
                "its text column `{}` has no values",
                shown(&h.column)
            ));
        }
        if let Some((_, i)) = crate::classes::first_repeat(&h.values) {
            return Err(format!(
                "its text column `{}` has the value `{}` twice",
                shown(&h.column),
                shown(&h.values[i])
            ));
        }
    }
    Ok(())
}

/// Each column of dates is one of the columns, once, not a text column, with at least one
/// part and no part twice; its fill value, if any, is an instant of the years 0 to 9999
/// that [`crate::dates::parse`] reads.
fn check_dates(
    columns: &[String],
    one_hot: &[OneHot],
    dates: &[DateColumn],
    filled: &[Filled],
) -> std::result::Result<(), String> {
    for (k, d) in dates.iter().enumerate() {
        let name = shown(&d.column);
        if !columns.contains(&d.column) || one_hot.iter().any(|h| h.column == d.column) {
            return Err(format!(
                "its column of dates `{name}` is not one of its columns, or is a text column"
            ));
        }
        if dates[..k].iter().any(|e| e.column == d.column) {
            return Err(format!("its column of dates `{name}` is listed twice"));
        }
        if d.parts.is_empty() || (1..d.parts.len()).any(|i| d.parts[..i].contains(&d.parts[i])) {
            return Err(format!(
                "its column of dates `{name}` has no parts, or a part twice"
            ));
        }
        let range = crate::dates::INSTANTS;
        if let Some(f) = filled.iter().find(|f| f.column == d.column) {
            if !range.contains(&f.value) {
                return Err(format!(
                    "its fill value for the dates of `{name}` is {}, outside the years 0 to 9999",
                    f.value
                ));
            }
        }
    }
    Ok(())
}

/// Each fill value is a finite number, of one of the number columns, once.
fn check_filled(
    columns: &[String],
    one_hot: &[OneHot],
    filled: &[Filled],
) -> std::result::Result<(), String> {
    for (k, f) in filled.iter().enumerate() {
        let name = shown(&f.column);
        if !columns.contains(&f.column) || one_hot.iter().any(|h| h.column == f.column) {
            return Err(format!(
                "its fill value for `{name}` is not for one of its number columns"
            ));
        }
        if filled[..k].iter().any(|e| e.column == f.column) {
            return Err(format!("its fill value for `{name}` is listed twice"));
        }
        if !f.value.is_finite() {
            return Err(format!("its fill value for `{name}` is {}", f.value));
        }
    }
    Ok(())
}

/// The bytes of the model file of `network` and `setup`: an HDF5 file created with the
/// core (in-memory) driver and no backing store, so nothing touches the disk, and copied
/// out whole with `H5Fget_file_image`; the bytes are those the same file would have on disk.
fn model_bytes<F: Float + H5Type>(
    network: &Network<F>,
    setup: &TrainingSetup,
    spec: Option<&DataSpec>,
) -> hdf5::Result<Vec<u8>> {
    /// In-memory files are known to the library by name while open; a unique one per save
    /// keeps saves on several threads apart.
    static SAVES: AtomicU64 = AtomicU64::new(0);
    hdf5::silence_errors(true);
    let name = format!(
        "dnn-model-in-memory-{}",
        SAVES.fetch_add(1, Ordering::Relaxed)
    );
    let file = hdf5::File::with_options()
        .with_fapl(|p| p.core_filebacked(false))
        .create(&name)?;
    write_model(&file, network, setup)?;
    if let Some(spec) = spec {
        write_spec(&file, spec)?;
    }
    let bytes = file_image(&file)?;
    file.close()?;
    Ok(bytes)
}

fn write_model<F: Float + H5Type>(
    file: &hdf5::File,
    network: &Network<F>,
    setup: &TrainingSetup,
) -> hdf5::Result<()> {
    for (i, layer) in network.layers().iter().enumerate() {
        let l = i + 1;
        file.new_dataset_builder()
            .with_data(&layer.weights().as_standard_layout())
            .create(format!("W{l}").as_str())?;
        file.new_dataset_builder()
            .with_data(&layer.bias().as_standard_layout())
            .create(format!("b{l}").as_str())?;
    }
    write_str(file, "format", FORMAT)?;
    file.new_attr::<u32>()
        .create("format_version")?
        .write_scalar(&FORMAT_VERSION)?;
    write_str(file, "dtype", F::NAME)?;
    let sizes: Array1<u64> = network.layer_sizes().iter().map(|&n| n as u64).collect();
    file.new_attr_builder()
        .with_data(&sizes)
        .create("layer_sizes")?;
    let activations: Vec<&str> = network
        .layers()
        .iter()
        .map(|l| l.activation().name())
        .collect();
    write_str(file, "activations", &activations.join(","))?;
    for (name, value) in setup.texts() {
        if let Some(v) = value {
            write_str(file, name, v)?;
        }
    }
    for (name, value) in setup.counts() {
        if let Some(v) = value {
            file.new_attr::<u64>().create(name)?.write_scalar(&v)?;
        }
    }
    for (name, value) in setup.reals() {
        if let Some(v) = value {
            file.new_attr::<f64>().create(name)?.write_scalar(&v)?;
        }
    }
    if let Some(weights) = &setup.class_weights {
        file.new_attr_builder()
            .with_data(&Array1::from(weights.clone()))
            .create("class_weights")?;
    }
    Ok(())
}

/// Whether `setup`'s class weights, if any, fit the classes of a network whose output layer
/// is `outputs` units of `output` (one weight per class).
pub(crate) fn check_class_weights(
    setup: &TrainingSetup,
    (output, outputs): (Activation, usize),
) -> std::result::Result<(), String> {
    let Some(weights) = &setup.class_weights else {
        return Ok(());
    };
    dnn_core::ClassWeights::new(weights.clone())
        .and_then(|w| w.check_output(output, outputs))
        .map_err(|e| format!("its class_weights do not fit its network: {e}"))
}

/// Names (classes, columns) are fixed-length UTF-8 strings of this many bytes.
pub(crate) const NAME_CAPACITY: usize = 256;
type Name = FixedUnicode<NAME_CAPACITY>;

fn names_array(what: &str, names: &[String]) -> hdf5::Result<Array1<Name>> {
    names
        .iter()
        .map(|n| {
            n.parse::<Name>().map_err(|e| {
                hdf5::Error::from(format!(
                    "the {what} name {n:?} does not fit in {NAME_CAPACITY} bytes of UTF-8: {e}"
                ))
            })
        })
        .collect()
}

fn write_spec(file: &hdf5::File, spec: &DataSpec) -> hdf5::Result<()> {
    file.new_dataset_builder()
        .with_data(&names_array("class", &spec.classes)?)
        .create("classes")?;
    write_str(file, "input", spec.input.kind())?;
    match &spec.input {
        Input::Picture {
            height,
            width,
            channels,
        } => {
            let shape: Array1<u64> = [height, width, channels]
                .iter()
                .map(|&&v| v as u64)
                .collect();
            file.new_attr_builder()
                .with_data(&shape)
                .create("picture_shape")?;
        }
        Input::Table {
            columns,
            target,
            one_hot,
            filled,
            dates,
        } => {
            if !filled.is_empty() {
                let names: Vec<String> = filled.iter().map(|f| f.column.clone()).collect();
                let values: Array1<f64> = filled.iter().map(|f| f.value).collect();
                file.new_dataset_builder()
                    .with_data(&names_array("column", &names)?)
                    .create("fill_columns")?;
                file.new_dataset_builder()
                    .with_data(&values)
                    .create("fill_values")?;
            }
            file.new_dataset_builder()
                .with_data(&names_array("column", columns)?)
                .create("columns")?;
            if !dates.is_empty() {
                let names: Vec<String> = dates.iter().map(|d| d.column.clone()).collect();
                let orders: Vec<String> = dates.iter().map(|d| d.order.name().into()).collect();
                let parts: Vec<String> = dates
                    .iter()
                    .map(|d| {
                        let names: Vec<&str> = d.parts.iter().map(|p| p.name()).collect();
                        names.join(",")
                    })
                    .collect();
                for (key, what, list) in [
                    ("date_columns", "column", &names),
                    ("date_orders", "date order", &orders),
                    ("date_parts", "date parts", &parts),
                ] {
                    file.new_dataset_builder()
                        .with_data(&names_array(what, list)?)
                        .create(key)?;
                }
            }
            if !one_hot.is_empty() {
                let names: Vec<String> = one_hot.iter().map(|h| h.column.clone()).collect();
                let values: Vec<String> = one_hot.iter().flat_map(|h| h.values.clone()).collect();
                let counts: Array1<u64> = one_hot.iter().map(|h| h.values.len() as u64).collect();
                file.new_dataset_builder()
                    .with_data(&names_array("column", &names)?)
                    .create("one_hot_columns")?;
                file.new_dataset_builder()
                    .with_data(&names_array("text value", &values)?)
                    .create("one_hot_values")?;
                file.new_dataset_builder()
                    .with_data(&counts)
                    .create("one_hot_counts")?;
            }
            let target = target.parse::<LongName>().map_err(|e| {
                hdf5::Error::from(format!("the target column name {target:?}: {e}"))
            })?;
            file.new_attr::<LongName>()
                .create("target")?
                .write_scalar(&target)?;
        }
    }
    if let Some(scale) = &spec.regression {
        for (name, value) in [("target_mean", scale.mean), ("target_std", scale.std)] {
            file.new_attr::<f64>().create(name)?.write_scalar(&value)?;
        }
    }
    if let Some(z) = &spec.standardization {
        file.new_dataset_builder()
            .with_data(&z.mean)
            .create("mean")?;
        file.new_dataset_builder().with_data(&z.std).create("std")?;
    }
    if let Some(r) = &spec.ranges {
        file.new_dataset_builder()
            .with_data(&r.min)
            .create("input_min")?;
        file.new_dataset_builder()
            .with_data(&r.max)
            .create("input_max")?;
    }
    Ok(())
}

type LongName = FixedUnicode<TEXT_CAPACITY>;

/// The whole image of an open file, flushed first. hdf5-metno does not wrap
/// `H5Fget_file_image`, so it is called through hdf5-sys, under the lock that serialises
/// every call into the (not thread-safe) library.
fn file_image(file: &hdf5::File) -> hdf5::Result<Vec<u8>> {
    file.flush()?;
    let _lock = hdf5_sys::LOCK.lock();
    let failed = |len: isize| {
        hdf5::Error::from(format!("the HDF5 library could not copy the model out of memory (H5Fget_file_image returned {len})"))
    };
    // SAFETY: `file.id()` is a valid open file id (the `File` is borrowed); a null buffer
    // of length 0 asks only for the image's size and writes nothing.
    let len = unsafe { hdf5_sys::h5f::H5Fget_file_image(file.id(), std::ptr::null_mut(), 0) };
    let size = usize::try_from(len).map_err(|_| failed(len))?;
    let mut image = vec![0u8; size];
    // SAFETY: as above, and `image` is a writable buffer of exactly `size` bytes, the
    // length passed, which the call does not write beyond.
    let copied = unsafe {
        hdf5_sys::h5f::H5Fget_file_image(file.id(), image.as_mut_ptr().cast(), image.len())
    };
    if copied != len {
        return Err(failed(copied));
    }
    Ok(image)
}

/// Text attributes are fixed-length ASCII strings of this capacity. Variable-length strings
/// live in HDF5's global heap, and libhdf5 can crash or hang reading a damaged one; fixed-length
/// strings are stored inline, so a damaged file cannot send the reader there.
const TEXT_CAPACITY: usize = 1024;
type Text = FixedAscii<TEXT_CAPACITY>;

/// A text attribute: fixed-length ASCII, or UTF-8 where it is not ASCII (a data file's
/// name can be); [`read_string_opt`] reads both.
fn write_str(file: &hdf5::File, name: &str, value: &str) -> hdf5::Result<()> {
    if let Ok(v) = Text::from_ascii(value) {
        return file.new_attr::<Text>().create(name)?.write_scalar(&v);
    }
    let v = value.parse::<LongName>().map_err(|e| {
        hdf5::Error::from(format!(
            "attribute {name} = {value:?} is not text of at most {TEXT_CAPACITY} bytes: {e}"
        ))
    })?;
    file.new_attr::<LongName>().create(name)?.write_scalar(&v)
}

/// The number of layers `L` of a model file whose data sets or tensors are `names`: it must
/// have `W1` (else it is not a model at all), and `W1..WL`, `b1..bL` with no gap and no
/// `W`/`b` beyond `L`. The HDF5 and the safetensors readers share this.
pub(crate) fn layer_count(path: &Path, names: &[String]) -> Result<usize> {
    let bad = |problem: String| DataError::BadModel {
        path: path.to_path_buf(),
        problem,
    };
    if !names.iter().any(|n| n == "W1") {
        return Err(DataError::NotAModel {
            path: path.to_path_buf(),
            keys: names.to_vec(),
        });
    }
    let big_l = (1..)
        .take_while(|l| names.contains(&format!("W{l}")))
        .count();
    for l in 1..=big_l {
        if !names.contains(&format!("b{l}")) {
            return Err(bad(format!("it has W{l} but no b{l}")));
        }
    }
    for n in names {
        if let Some(l) = layer_of(n).filter(|&l| l == 0 || l > big_l) {
            return Err(bad(format!(
                "it has {n} but its layers are W1..W{big_l}: layer {l} is missing or extra"
            )));
        }
    }
    Ok(big_l)
}

/// `l` for a name `Wl` or `bl`.
pub(crate) fn layer_of(name: &str) -> Option<usize> {
    name.strip_prefix('W')
        .or_else(|| name.strip_prefix('b'))
        .and_then(|s| s.parse::<usize>().ok())
}

/// Loads a model file, checking everything: that it is HDF5, that its `format` (when it
/// has one) is dnn's and its `format_version` (when it has one) no newer than
/// [`FORMAT_VERSION`] ([`check_format_version`]), that it holds `W1..WL` and
/// `b1..bL` with no gaps or extras, that the shapes chain, that all are `f32` or all
/// `f64`, that the attributes agree with the weights, and that every number is finite.
///
/// A `.safetensors` file (by name, or by content) is read as [`crate::safetensors`]
/// describes, with the same checks.
pub fn load_model(path: impl AsRef<Path>) -> Result<Model> {
    let path = path.as_ref();
    if crate::safetensors::is_safetensors(path) {
        return crate::safetensors::load(path);
    }
    let file = crate::cat::open_h5(path)?;
    let bad = |problem: String| DataError::BadModel {
        path: path.to_path_buf(),
        problem,
    };
    // Before the weights: another tool's or a newer dnn's file may lay them out otherwise.
    match read_string_opt(&file, "format")? {
        None => {}
        Some(format) if format == FORMAT => {}
        Some(other) => {
            return Err(bad(format!(
                "its format attribute is {other:?}, not {FORMAT:?}: it was not written by dnn"
            )))
        }
    }
    if let Some(version) = read_attr_opt(&file, "format_version", |a| a.read_scalar::<u32>())? {
        check_format_version(version).map_err(&bad)?;
    }
    let names = file.member_names().map_err(|e| bad(e.to_string()))?;
    let big_l = layer_count(path, &names)?;
    let dtype = dataset_float_size(&file, "W1", &bad)?;
    let activations = read_activations(&file, big_l, &bad)?;
    let network = match dtype {
        FloatSize::U4 => AnyNetwork::F32(read_network::<f32>(
            &file,
            big_l,
            activations,
            FloatSize::U4,
            &bad,
        )?),
        FloatSize::U8 => AnyNetwork::F64(read_network::<f64>(
            &file,
            big_l,
            activations,
            FloatSize::U8,
            &bad,
        )?),
        #[allow(unreachable_patterns)]
        other => return Err(bad(format!("W1 has an unsupported float size {other:?}"))),
    };
    if let Some(sizes) = read_attr_opt::<Array1<u64>>(&file, "layer_sizes", |a| a.read_1d::<u64>())?
    {
        let sizes: Vec<usize> = sizes.iter().map(|&n| n as usize).collect();
        if sizes != network.layer_sizes() {
            return Err(bad(format!(
                "its layer_sizes attribute says {sizes:?} but the weights have sizes {:?}",
                network.layer_sizes()
            )));
        }
    }
    let setup = TrainingSetup {
        arch: read_string_opt(&file, "arch")?,
        init: read_string_opt(&file, "init")?,
        seed: read_attr_opt(&file, "seed", |a| a.read_scalar::<u64>())?,
        learning_rate: read_attr_opt(&file, "learning_rate", |a| a.read_scalar::<f64>())?,
        iterations: read_attr_opt(&file, "iterations", |a| a.read_scalar::<u64>())?,
        iterations_run: read_attr_opt(&file, "iterations_run", |a| a.read_scalar::<u64>())?,
        batches_run: read_attr_opt(&file, "batches_run", |a| a.read_scalar::<u64>())?,
        final_cost: read_attr_opt(&file, "final_cost", |a| a.read_scalar::<f64>())?,
        optimizer: read_string_opt(&file, "optimizer")?,
        batch_size: read_attr_opt(&file, "batch_size", |a| a.read_scalar::<u64>())?,
        l2: read_attr_opt(&file, "l2", |a| a.read_scalar::<f64>())?,
        keep_prob: read_attr_opt(&file, "keep_prob", |a| a.read_scalar::<f64>())?,
        test_split: read_attr_opt(&file, "test_split", |a| a.read_scalar::<f64>())?,
        split_seed: read_attr_opt(&file, "split_seed", |a| a.read_scalar::<u64>())?,
        validation_split: read_attr_opt(&file, "validation_split", |a| a.read_scalar::<f64>())?,
        patience: read_attr_opt(&file, "patience", |a| a.read_scalar::<u64>())?,
        min_delta: read_attr_opt(&file, "min_delta", |a| a.read_scalar::<f64>())?,
        data: read_string_opt(&file, "data")?,
        // Hex digits in either case (sha256sum's are lowercase, some tools' upper).
        data_sha256: read_string_opt(&file, "data_sha256")?.map(|h| h.to_ascii_lowercase()),
        started_from: read_string_opt(&file, "started_from")?,
        decimal: read_string_opt(&file, "decimal")?,
        numbers: read_string_opt(&file, "numbers")?,
        image_dir: read_string_opt(&file, "image_dir")?,
        image_suffix: read_string_opt(&file, "image_suffix")?,
        group_by: read_string_opt(&file, "group_by")?,
        unlabeled_dropped: read_attr_opt(&file, "unlabeled_dropped", |a| a.read_scalar::<u64>())?,
        class_weights: read_attr_opt(&file, "class_weights", |a| a.read_1d::<f64>())?
            .map(|w| w.to_vec()),
    };
    setup.check().map_err(bad)?;
    let spec = read_spec(&file, &names, &network, &bad)?;
    let output = (network.output_activation(), network.output_size());
    check_class_weights(&setup, output).map_err(bad)?;
    Ok(Model {
        network,
        setup,
        spec,
    })
}

/// A table model's text columns: `one_hot_columns` (names), `one_hot_counts` (values per
/// column) and `one_hot_values` (every column's values, one after the other); none when
/// the file has no `one_hot_columns`.
fn read_one_hot(
    file: &hdf5::File,
    names: &[String],
    bad: &impl Fn(String) -> DataError,
) -> Result<Vec<OneHot>> {
    if !names.iter().any(|n| n == "one_hot_columns") {
        return Ok(Vec::new());
    }
    let columns = read_names(file, "one_hot_columns", bad)?;
    let values = read_names(file, "one_hot_values", bad)?;
    let counts = read_vector_u64(file, "one_hot_counts", bad)?;
    if counts.len() != columns.len()
        || counts.iter().try_fold(0u64, |a, &c| a.checked_add(c)) != Some(values.len() as u64)
    {
        return Err(bad(format!(
            "one_hot_counts {:?} do not split its {} one_hot_values among its {} \
             one_hot_columns",
            counts.to_vec(),
            values.len(),
            columns.len()
        )));
    }
    let mut rest = values.as_slice();
    Ok(columns
        .into_iter()
        .zip(counts)
        .map(|(column, n)| {
            let (these, after) = rest.split_at(n as usize);
            rest = after;
            OneHot {
                column,
                values: these.to_vec(),
            }
        })
        .collect())
}

/// A table model's columns of dates: `date_columns` (names), `date_orders` (`ymd`, `dmy`,
/// `mdy`) and `date_parts` (each column's parts, joined by commas: `year,month`), one
/// each; none when the file has no `date_columns`.
fn read_dates(
    file: &hdf5::File,
    names: &[String],
    bad: &impl Fn(String) -> DataError,
) -> Result<Vec<DateColumn>> {
    if !names.iter().any(|n| n == "date_columns") {
        return Ok(Vec::new());
    }
    let columns = read_names(file, "date_columns", bad)?;
    let orders = read_names(file, "date_orders", bad)?;
    let parts = read_names(file, "date_parts", bad)?;
    if orders.len() != columns.len() || parts.len() != columns.len() {
        return Err(bad(format!(
            "it has {} date_columns but {} date_orders and {} date_parts",
            columns.len(),
            orders.len(),
            parts.len()
        )));
    }
    columns
        .into_iter()
        .zip(orders)
        .zip(parts)
        .map(|((column, order), parts)| {
            let order = DateOrder::from_name(&order)
                .ok_or_else(|| bad(format!("its date order {order:?} is not ymd, dmy or mdy")))?;
            let parts = parts
                .split(',')
                .map(|p| {
                    DatePart::from_name(p)
                        .ok_or_else(|| bad(format!("its date part {p:?} is not one dnn knows")))
                })
                .collect::<Result<_>>()?;
            Ok(DateColumn {
                column,
                order,
                parts,
            })
        })
        .collect()
}

/// A table model's fill values: `fill_columns` (names) and `fill_values` (float64), one
/// each; none when the file has no `fill_columns`.
fn read_filled(
    file: &hdf5::File,
    names: &[String],
    bad: &impl Fn(String) -> DataError,
) -> Result<Vec<Filled>> {
    if !names.iter().any(|n| n == "fill_columns") {
        return Ok(Vec::new());
    }
    let columns = read_names(file, "fill_columns", bad)?;
    let values = read_vector(file, "fill_values", bad)?;
    if values.len() != columns.len() {
        return Err(bad(format!(
            "it has {} fill_columns but {} fill_values",
            columns.len(),
            values.len()
        )));
    }
    Ok(columns
        .into_iter()
        .zip(values)
        .map(|(column, value)| Filled { column, value })
        .collect())
}

fn read_names(
    file: &hdf5::File,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<Vec<String>> {
    let ds = file
        .dataset(key)
        .map_err(|e| bad(format!("cannot open {key}: {e}")))?;
    let shape = ds.shape();
    if shape.len() != 1 {
        return Err(bad(format!(
            "{key} has shape {shape:?}, but it is a list of names"
        )));
    }
    let file_len = std::fs::metadata(file.filename()).map_or(0, |m| m.len());
    crate::cat::check_declared_size(file_len, &shape, NAME_CAPACITY)
        .map_err(|problem| bad(format!("{key} has shape {shape:?}: {problem}")))?;
    let desc = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| bad(format!("{key} has an unreadable element type: {e}")))?;
    let names: Vec<String> = match desc {
        TypeDescriptor::FixedUnicode(n) if n <= NAME_CAPACITY => ds
            .read_raw::<Name>()
            .map_err(|e| bad(format!("cannot read {key}: {e}")))?
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        TypeDescriptor::FixedAscii(n) if n <= NAME_CAPACITY => ds
            .read_raw::<FixedAscii<NAME_CAPACITY>>()
            .map_err(|e| bad(format!("cannot read {key}: {e}")))?
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        other => {
            return Err(bad(format!(
                "{key} has element type {other}; names are fixed-length strings of at most {NAME_CAPACITY} bytes"
            )))
        }
    };
    Ok(names)
}

fn read_vector(
    file: &hdf5::File,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<Array1<f64>> {
    read_1d(file, key, "float64", bad)
}

fn read_vector_u64(
    file: &hdf5::File,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<Array1<u64>> {
    read_1d(file, key, "uint64", bad)
}

fn read_1d<T: H5Type>(
    file: &hdf5::File,
    key: &str,
    type_name: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<Array1<T>> {
    let matrix_like = file
        .dataset(key)
        .map_err(|e| bad(format!("cannot open {key}: {e}")))?;
    let shape = matrix_like.shape();
    if shape.len() != 1 {
        return Err(bad(format!("{key} has shape {shape:?}; it is a vector")));
    }
    let file_len = std::fs::metadata(file.filename()).map_or(0, |m| m.len());
    crate::cat::check_declared_size(file_len, &shape, 8)
        .map_err(|problem| bad(format!("{key} has shape {shape:?}: {problem}")))?;
    matrix_like
        .read_1d::<T>()
        .map_err(|e| bad(format!("cannot read {key} as {type_name}: {e}")))
}

/// The [`DataSpec`] a file records, checked against its network; the cat classifier's for
/// files older than [`FORMAT_VERSION`] of its shape.
fn read_spec(
    file: &hdf5::File,
    names: &[String],
    network: &AnyNetwork,
    bad: &impl Fn(String) -> DataError,
) -> Result<Option<DataSpec>> {
    let sizes = network.layer_sizes();
    let (inputs, outputs) = (sizes[0], sizes[sizes.len() - 1]);
    if !names.iter().any(|n| n == "classes") {
        // A file of this version without classes was saved without a DataSpec
        // ([`save_model`]): its inputs are unknown, whatever its shape. Older files (version
        // 1, or numpy's, without the attribute) of the cat classifier's shape are that.
        let version = read_attr_opt(file, "format_version", |a| a.read_scalar::<u32>())?;
        let cat = DataSpec::cat();
        let older = version.is_none_or(|v| v < FORMAT_VERSION);
        return Ok((older && inputs == cat.input.features() && outputs == 1).then_some(cat));
    }
    let classes = read_names(file, "classes", bad)?;
    let input = match read_string_opt(file, "input")?.as_deref() {
        Some("picture") => {
            let shape = read_attr_opt(file, "picture_shape", |a| a.read_1d::<u64>())?
                .ok_or_else(|| bad("it has input = picture but no picture_shape".into()))?;
            let [height, width, channels] = shape.as_slice().unwrap_or(&[]) else {
                return Err(bad(format!(
                    "picture_shape is {shape}, not [height, width, channels]"
                )));
            };
            Input::Picture {
                height: *height as usize,
                width: *width as usize,
                channels: *channels as usize,
            }
        }
        Some("table") => {
            if !names.iter().any(|n| n == "columns") {
                return Err(bad("it has input = table but no columns dataset".into()));
            }
            Input::Table {
                columns: read_names(file, "columns", bad)?,
                target: read_string_opt(file, "target")?.unwrap_or_default(),
                one_hot: read_one_hot(file, names, bad)?,
                filled: read_filled(file, names, bad)?,
                dates: read_dates(file, names, bad)?,
            }
        }
        Some(other) => {
            return Err(bad(format!(
                "its input attribute is {other:?}, not \"picture\" or \"table\""
            )))
        }
        None => return Err(bad("it has classes but no input attribute".into())),
    };
    let standardization = match (
        names.iter().any(|n| n == "mean"),
        names.iter().any(|n| n == "std"),
    ) {
        (false, false) => None,
        (true, true) => Some(Standardization {
            mean: read_vector(file, "mean", bad)?,
            std: read_vector(file, "std", bad)?,
        }),
        _ => return Err(bad("it has one of mean and std but not the other".into())),
    };
    let ranges = match (
        names.iter().any(|n| n == "input_min"),
        names.iter().any(|n| n == "input_max"),
    ) {
        (false, false) => None,
        (true, true) => Some(InputRanges {
            min: read_vector(file, "input_min", bad)?,
            max: read_vector(file, "input_max", bad)?,
        }),
        _ => {
            return Err(bad(
                "it has one of input_min and input_max but not the other".into(),
            ))
        }
    };
    let regression = match (
        read_attr_opt(file, "target_mean", |a| a.read_scalar::<f64>())?,
        read_attr_opt(file, "target_std", |a| a.read_scalar::<f64>())?,
    ) {
        (None, None) => None,
        (Some(mean), Some(std)) => Some(TargetScale { mean, std }),
        _ => {
            return Err(bad(
                "it has one of target_mean and target_std but not the other".into(),
            ))
        }
    };
    let spec = DataSpec {
        ranges,
        classes,
        regression,
        input,
        standardization,
    };
    check_spec(&spec, inputs, outputs, network.output_activation()).map_err(bad)?;
    Ok(Some(spec))
}

fn dataset_float_size(
    file: &hdf5::File,
    key: &str,
    bad: &impl Fn(String) -> DataError,
) -> Result<FloatSize> {
    let ds = file
        .dataset(key)
        .map_err(|e| bad(format!("cannot open {key}: {e}")))?;
    let desc = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| bad(format!("{key} has an unreadable element type: {e}")))?;
    match desc {
        TypeDescriptor::Float(size) => Ok(size),
        other => Err(bad(format!(
            "{key} has element type {other}, but weights must be float32 or float64"
        ))),
    }
}

fn read_activations(
    file: &hdf5::File,
    big_l: usize,
    bad: &impl Fn(String) -> DataError,
) -> Result<Vec<Activation>> {
    let Some(text) = read_string_opt(file, "activations")? else {
        // Only weights: the exercise's relu hidden layers and sigmoid output.
        return Ok((1..=big_l)
            .map(|l| Activation::exercise(l, big_l))
            .collect());
    };
    let names: Vec<&str> = text.split(',').map(str::trim).collect();
    if names.len() != big_l {
        return Err(bad(format!(
            "its activations attribute lists {} activations (\"{text}\") for {big_l} layers",
            names.len()
        )));
    }
    names
        .iter()
        .map(|n| {
            Activation::from_name(n).ok_or_else(|| {
                bad(format!(
                    "unknown activation \"{n}\" (expected {})",
                    Activation::name_list()
                ))
            })
        })
        .collect()
}

fn read_network<F: Float + H5Type>(
    file: &hdf5::File,
    big_l: usize,
    activations: Vec<Activation>,
    size: FloatSize,
    bad: &impl Fn(String) -> DataError,
) -> Result<Network<F>> {
    let mut layers = Vec::with_capacity(big_l);
    for (i, activation) in activations.into_iter().enumerate() {
        let l = i + 1;
        let w = read_matrix::<F>(file, &format!("W{l}"), size, bad)?;
        let b = read_matrix::<F>(file, &format!("b{l}"), size, bad)?;
        layers.push(Layer::new(w, b, activation));
    }
    Network::from_layers(layers).map_err(|e| bad(e.to_string()))
}

fn read_matrix<F: Float + H5Type>(
    file: &hdf5::File,
    key: &str,
    size: FloatSize,
    bad: &impl Fn(String) -> DataError,
) -> Result<Array2<F>> {
    let found = dataset_float_size(file, key, bad)?;
    if found != size {
        return Err(bad(format!(
            "{key} is float{} but W1 is float{}: all weights must have one dtype",
            8 * found as usize,
            8 * size as usize
        )));
    }
    let ds = file
        .dataset(key)
        .map_err(|e| bad(format!("cannot open {key}: {e}")))?;
    let shape = ds.shape();
    if shape.len() != 2 {
        return Err(bad(format!(
            "{key} has shape {shape:?}, but weights and biases are 2-D"
        )));
    }
    let file_len = std::fs::metadata(file.filename()).map_or(0, |m| m.len());
    crate::cat::check_declared_size(file_len, &shape, std::mem::size_of::<F>())
        .map_err(|problem| bad(format!("{key} has shape {shape:?}: {problem}")))?;
    let m = ds
        .read_2d::<F>()
        .map_err(|e| bad(format!("cannot read {key}: {e}")))?;
    if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(bad(format!(
            "{key}[{r}, {c}] is {v}: the model is damaged (was it saved from a diverged run?)"
        )));
    }
    Ok(m)
}

fn read_attr_opt<T>(
    file: &hdf5::File,
    name: &str,
    read: impl Fn(&hdf5::Attribute) -> hdf5::Result<T>,
) -> Result<Option<T>> {
    let names = file.attr_names().unwrap_or_default();
    if !names.iter().any(|n| n == name) {
        return Ok(None);
    }
    let path = file.filename();
    let attr = file
        .attr(name)
        .and_then(|a| read(&a))
        .map_err(|e| DataError::BadModel {
            path: path.into(),
            problem: format!("its attribute {name} cannot be read as expected: {e}"),
        })?;
    Ok(Some(attr))
}

/// Reads a fixed-length string attribute; refuses variable-length ones without reading them
/// (see [`TEXT_CAPACITY`]).
fn read_string_opt(file: &hdf5::File, name: &str) -> Result<Option<String>> {
    read_attr_opt(file, name, |a| match a.dtype()?.to_descriptor()? {
        TypeDescriptor::FixedAscii(_) => a.read_scalar::<Text>().map(|s| s.as_str().to_owned()),
        TypeDescriptor::FixedUnicode(_) => {
            a.read_scalar::<LongName>().map(|s| s.as_str().to_owned())
        }
        other => Err(hdf5::Error::from(format!(
            "it is stored as {other}; dnn reads text attributes only as fixed-length strings"
        ))),
    })
}
