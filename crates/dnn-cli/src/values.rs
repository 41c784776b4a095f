//! The values flags take: the types several commands share ([`Sizes`], [`InitArg`],
//! [`OptimizerArg`], [`DecayArg`]) and every value parser (`parse_layers`,
//! `parse_learning_rate`, ...), each of which turns a bad value into one line that says
//! what is wrong.

use std::num::IntErrorKind;

use clap::ValueEnum;
use dnn_core::Init;

use crate::metrics::exact;

/// A comma-separated list of sizes, e.g. `12288,20,7,5,1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes(pub Vec<usize>);

/// Weight initialisation, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitArg {
    /// randn * 0.01 (the exercise's initialize_parameters).
    Small,
    /// randn / sqrt(n[l-1]) (the published L-layer model).
    Scaled,
    /// randn * sqrt(2 / n[l-1]).
    He,
    /// randn * sqrt(2 / (n[l-1] + n[l])).
    Xavier,
    /// All zeros (logistic regression).
    Zeros,
    /// A random orthogonal matrix (QR of a Gaussian one).
    Orthogonal,
}

impl From<InitArg> for Init {
    fn from(value: InitArg) -> Self {
        match value {
            InitArg::Small => Init::Small,
            InitArg::Scaled => Init::Scaled,
            InitArg::He => Init::He,
            InitArg::Xavier => Init::Xavier,
            InitArg::Zeros => Init::Zeros,
            InitArg::Orthogonal => Init::Orthogonal,
        }
    }
}

/// An optimiser, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// Plain gradient descent: θ -= α d.
    Gd,
    /// Gradient descent with momentum (--beta).
    Momentum,
    /// Adam (--beta1, --beta2, --epsilon), with bias correction.
    Adam,
}

/// A learning-rate schedule, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecayArg {
    /// A constant learning rate.
    None,
    /// α0 / (1 + rate · epoch).
    InverseTime,
    /// α0 / (1 + rate · floor(epoch / interval)).
    Step,
}

/// A data format, as named on the command line (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A directory with one train_*.h5 and one test_*.h5 in the course's layout.
    CourseH5,
    /// DIR/<class>/*.png|jpg|jpeg, or DIR/train/<class>/... and DIR/test/<class>/...
    ImageFolder,
    /// A CSV table with a header row.
    Csv,
    /// A NumPy .npz archive: x_train, y_train, x_test, y_test, or x, y.
    Npz,
    /// A CSV table listing pictures: a column of file names (.png, .jpg, .jpeg; relative to
    /// the table's folder) and a column of their classes or numbers.
    ImageCsv,
}

impl From<FormatArg> for dnn_data::Format {
    fn from(value: FormatArg) -> Self {
        match value {
            FormatArg::CourseH5 => dnn_data::Format::CourseH5,
            FormatArg::ImageFolder => dnn_data::Format::ImageFolder,
            FormatArg::Csv => dnn_data::Format::Csv,
            FormatArg::Npz => dnn_data::Format::Npz,
            FormatArg::ImageCsv => dnn_data::Format::ImageCsv,
        }
    }
}

/// `--classes`: comma-separated class names, none empty, none twice.
pub fn parse_classes(s: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = s.split(',').map(|n| n.trim().to_owned()).collect();
    if names.iter().any(String::is_empty) {
        return Err(format!(
            "`{s}` has an empty class name; give names separated by commas, e.g. non-cat,cat"
        ));
    }
    if let Some((i, n)) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return Err(format!("the class `{n}` is listed twice (at {i})"));
    }
    if names.len() < 2 {
        return Err(format!(
            "{} class given; a classifier needs at least two",
            names.len()
        ));
    }
    Ok(names)
}

/// `--test-split`: a fraction strictly between 0 and 1.
pub fn parse_test_split(s: &str) -> Result<f64, String> {
    split_fraction(s, "test", 0.2)
}

/// `--validation-split`: a fraction strictly between 0 and 1.
pub fn parse_validation_split(s: &str) -> Result<f64, String> {
    split_fraction(s, "validation", 0.1)
}

/// A `part` split's fraction, in (0, 1); `example` is named in the message.
fn split_fraction(s: &str, part: &str, example: f64) -> Result<f64, String> {
    match parse_number(s)? {
        v if v > 0.0 && v < 1.0 => Ok(v),
        v => Err(format!(
            "{} is not a usable {part} split; it must be a fraction in (0, 1), e.g. {example}",
            exact(v)
        )),
    }
}

/// The largest `--image-size`: 1024x1024x3 is already 3 million inputs per first-layer unit.
pub const MAX_IMAGE_SIZE: u32 = 1024;

/// `--image-size`: 1 to [`MAX_IMAGE_SIZE`] pixels.
pub fn parse_image_size(s: &str) -> Result<u32, String> {
    match parse_positive(s)? {
        n if n <= MAX_IMAGE_SIZE as usize => Ok(n as u32),
        n => Err(format!(
            "{n} pixels is more than --image-size allows; give at most {MAX_IMAGE_SIZE}"
        )),
    }
}

/// `--sweep`: comma-separated hidden-layer sizes, each at least 1.
pub fn parse_sizes(s: &str) -> Result<Sizes, String> {
    s.split(',')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(0) => Err("a hidden layer needs at least 1 unit".to_owned()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!("`{}` is not a number of hidden units", part.trim())),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Sizes)
}

/// `--layers`: comma-separated layer sizes, input first; at least two, none of them 0.
pub fn parse_layers(s: &str) -> Result<Sizes, String> {
    let sizes = s
        .split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<usize>()
                .map_err(|_| format!("`{part}` is not a layer size (a whole number)"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if sizes.len() < 2 {
        return Err(format!(
            "{} size given; a network needs at least an input and an output size, e.g. 12288,20,7,5,1",
            sizes.len()
        ));
    }
    if let Some(i) = sizes.iter().position(|&n| n == 0) {
        return Err(format!(
            "layer {i} has size 0; every layer needs at least one unit"
        ));
    }
    Ok(Sizes(sizes))
}

/// A learning rate: a finite number greater than 0.
pub fn parse_learning_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!(
            "{} is not a usable learning rate; it must be a finite number greater than 0",
            exact(v)
        )),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

/// Any number; the parsers below check its range.
fn parse_number(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .map_err(|_| format!("`{s}` is not a number"))
}

/// `--threshold`: a probability strictly between 0 and 1 (at 0 or 1 every example would be
/// one class).
pub fn parse_threshold(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v > 0.0 && v < 1.0 => Ok(v),
        v => Err(format!(
            "{v} is not a probability strictly between 0 and 1 (at 0 or 1 every example would \
             be one class), e.g. 0.3"
        )),
    }
}

/// `--cross-validate`: at least 2 folds.
pub fn parse_folds(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(k) if k >= 2 => Ok(k),
        _ => Err(format!(
            "`{s}` is not a number of folds: cross-validation needs at least 2, e.g. 5"
        )),
    }
}

/// Momentum's or Adam's beta, in [0, 1).
pub fn parse_beta(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if (0.0..1.0).contains(&v) => Ok(v),
        v => Err(format!(
            "{} is not a usable beta; it must be in [0, 1)",
            exact(v)
        )),
    }
}

/// Adam's epsilon: a finite number greater than 0.
pub fn parse_epsilon(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v.is_finite() && v > 0.0 => Ok(v),
        v => Err(format!(
            "{} is not a usable epsilon; it must be a finite number greater than 0",
            exact(v)
        )),
    }
}

/// A finite number ≥ 0 (L2's lambda, the decay rate, the toy sets' noise).
pub fn parse_non_negative(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v.is_finite() && v >= 0.0 => Ok(v),
        v => Err(format!(
            "{} is not usable here; it must be a finite number ≥ 0",
            exact(v)
        )),
    }
}

/// Dropout's keep probability, in (0, 1].
pub fn parse_keep_prob(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v > 0.0 && v <= 1.0 => Ok(v),
        v => Err(format!(
            "{} is not a keep probability; it must be in (0, 1] (1 turns dropout off)",
            exact(v)
        )),
    }
}

/// The circles' inner radius relative to the outer one, in (0, 1).
pub fn parse_factor(s: &str) -> Result<f64, String> {
    match parse_number(s)? {
        v if v > 0.0 && v < 1.0 => Ok(v),
        v => Err(format!(
            "{} is not a usable circle factor; it must be in (0, 1)",
            exact(v)
        )),
    }
}

/// The most points a generated toy set may have: 160 MB of coordinates, far beyond what a
/// toy is for, and well within any machine.
pub const MAX_POINTS: usize = 10_000_000;

/// A number of generated points, 1 to [`MAX_POINTS`].
pub fn parse_points(s: &str) -> Result<usize, String> {
    positive_at_most(s, MAX_POINTS, |n| {
        format!("{n} points is more than a toy set may have; give at most {MAX_POINTS}")
    })
}

/// `--threads`: from 1 to [`dnn_core::MAX_THREADS`].
pub fn parse_threads(s: &str) -> Result<std::num::NonZeroUsize, String> {
    let n = positive_at_most(s, dnn_core::MAX_THREADS, |n| {
        format!(
            "{n} threads is more than dnn starts; give at most {}",
            dnn_core::MAX_THREADS
        )
    })?;
    Ok(std::num::NonZeroUsize::new(n).expect("at least 1"))
}

/// A whole number of at least 1 (iterations, epochs, sizes, print intervals), up to the
/// largest the machine counts to.
pub fn parse_positive(s: &str) -> Result<usize, String> {
    positive_at_most(s, usize::MAX, |n| {
        format!("{n} is too large; give at most {}", usize::MAX)
    })
}

/// `--importance-repeats`: shuffles per column, at most [`MAX_SHUFFLES`] (each is a pass
/// of the network over the part scored).
pub fn parse_shuffles(s: &str) -> Result<usize, String> {
    positive_at_most(s, MAX_SHUFFLES, |n| {
        format!(
            "{n} shuffles of every column is more than dnn runs; give at most {MAX_SHUFFLES} \
             (scikit-learn's default is 5)"
        )
    })
}

/// The most shuffles per column `--importance-repeats` takes.
pub const MAX_SHUFFLES: usize = 100_000;

/// A whole number from 1 to `max`; `too_large` says why a larger one `s` (as typed, however
/// large) is refused.
fn positive_at_most(
    s: &str,
    max: usize,
    too_large: impl Fn(&str) -> String,
) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(v) if v <= max => Ok(v),
        Ok(_) => Err(too_large(s)),
        Err(e) if *e.kind() == IntErrorKind::PosOverflow => Err(too_large(s)),
        Err(_) => Err(format!("`{s}` is not a whole number greater than 0")),
    }
}

/// A seed of the numpy-compatible generator: a whole number from 0 to `u32::MAX` (numpy's
/// `np.random.seed` range).
pub fn parse_seed(s: &str) -> Result<u32, String> {
    s.parse::<u32>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow => format!(
            "{s} is too large for a seed; give a whole number from 0 to {}",
            u32::MAX
        ),
        _ => format!(
            "`{s}` is not a seed; give a whole number from 0 to {}",
            u32::MAX
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_is_a_probability_strictly_between_0_and_1() {
        assert_eq!(parse_threshold("0.3"), Ok(0.3));
        assert_eq!(parse_threshold("1e-3"), Ok(0.001));
        for bad in ["0", "1", "1.5", "-0.2", "nan", "inf"] {
            let err = parse_threshold(bad).expect_err(bad);
            assert!(
                err.contains("strictly between 0 and 1") || err.contains("number"),
                "{bad}: {err}"
            );
        }
        assert!(parse_threshold("half").is_err());
    }

    use crate::{Cli, Command};
    use clap::Parser;

    #[test]
    fn layer_lists_are_checked() {
        assert_eq!(
            parse_layers("12288,20,7,5,1").unwrap(),
            Sizes(vec![12288, 20, 7, 5, 1])
        );
        assert!(parse_layers("12288")
            .unwrap_err()
            .contains("at least an input and an output"));
        assert!(parse_layers("12288,0,1")
            .unwrap_err()
            .contains("layer 1 has size 0"));
        assert!(parse_layers("12288,x,1")
            .unwrap_err()
            .contains("`x` is not a layer size"));
        assert!(parse_layers("").is_err());
    }

    #[test]
    fn list_flags_parse_into_sizes() {
        let cli = Cli::try_parse_from(["dnn", "train", "--layers", "12288,7,1"]).unwrap();
        let Command::Train(args) = cli.command else {
            panic!("train")
        };
        assert_eq!(args.layers, Some(Sizes(vec![12288, 7, 1])));
        let cli = Cli::try_parse_from(["dnn", "planar", "--sweep", "1,2,50"]).unwrap();
        let Command::Planar(args) = cli.command else {
            panic!("planar")
        };
        assert_eq!(args.sweep, Some(Sizes(vec![1, 2, 50])));
    }

    #[test]
    fn negative_numbers_reach_the_value_parsers() {
        for (flag, says) in [
            ("--learning-rate", "not a usable learning rate"),
            ("--iterations", "not a whole number greater than 0"),
            ("--print-every", "not a whole number greater than 0"),
        ] {
            let err = Cli::try_parse_from(["dnn", "train", flag, "-1"]).unwrap_err();
            assert!(err.to_string().contains(says), "{flag}: {err}");
        }
    }

    #[test]
    fn a_refused_number_is_shown_with_an_exponent_where_huge_or_tiny() {
        assert_eq!(
            parse_test_split("1e300").unwrap_err(),
            "1e300 is not a usable test split; it must be a fraction in (0, 1), e.g. 0.2"
        );
        assert!(parse_learning_rate("-1e300")
            .unwrap_err()
            .starts_with("-1e300 is not a usable learning rate"));
        assert!(parse_keep_prob("0.0000")
            .unwrap_err()
            .starts_with("0 is not a keep probability"));
        assert!(parse_beta("12345678901234567890")
            .unwrap_err()
            .starts_with("1.2345678901234567e19 is not a usable beta"));
    }

    #[test]
    fn numbers_too_large_to_count_say_so_and_give_the_largest() {
        assert_eq!(
            parse_positive("99999999999999999999").unwrap_err(),
            "99999999999999999999 is too large; give at most 18446744073709551615"
        );
        assert_eq!(parse_positive("18446744073709551615"), Ok(usize::MAX));
        assert_eq!(
            parse_points("99999999999999999999").unwrap_err(),
            "99999999999999999999 points is more than a toy set may have; give at most 10000000"
        );
        assert_eq!(
            parse_seed("18446744073709551616").unwrap_err(),
            "18446744073709551616 is too large for a seed; give a whole number from 0 to 4294967295"
        );
        assert_eq!(parse_seed("4294967295"), Ok(u32::MAX));
        assert!(parse_seed("-1")
            .unwrap_err()
            .starts_with("`-1` is not a seed"));
    }

    #[test]
    fn learning_rates_must_be_positive_and_finite() {
        assert_eq!(parse_learning_rate("0.0075").unwrap(), 0.0075);
        for bad in ["0", "-1", "inf", "NaN", "abc"] {
            assert!(parse_learning_rate(bad).is_err(), "{bad}");
        }
    }
}
