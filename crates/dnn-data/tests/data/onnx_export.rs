//! What the exports tell their users about `x` and the output: the ONNX input's element
//! type, the claim that lets an f32 picture model keep a `float` input, and the metadata's
//! picture and regression texts. (onnxruntime runs the graphs in dnn-cli's `e2e_export`
//! test, against `dnn predict`.)

use dnn_core::{Activation, Network, NumpyRng};
use dnn_data::dataset::{DataSpec, Input};
use dnn_data::export::{metadata, PICTURE_GREY, PICTURE_RESIZE, REGRESSION_VALUE};
use dnn_data::model::Model;
use dnn_data::onnx::input_type;
use dnn_data::standardize::Standardization;
use dnn_data::TargetScale;
use serde_json::Value;

fn picture_spec(channels: usize, standardised: bool) -> DataSpec {
    let n0 = 2 * 2 * channels;
    DataSpec {
        ranges: None,
        classes: vec!["a".into(), "b".into()],
        regression: None,
        input: Input::Picture {
            height: 2,
            width: 2,
            channels,
        },
        standardization: standardised.then(|| Standardization {
            mean: ndarray::Array1::from_elem(n0, 0.5),
            std: ndarray::Array1::from_elem(n0, 0.25),
        }),
    }
}

fn table_spec(regression: Option<TargetScale>) -> DataSpec {
    DataSpec {
        ranges: None,
        classes: if regression.is_some() {
            vec![]
        } else {
            vec!["early".into(), "late".into()]
        },
        regression,
        input: Input::Table {
            columns: vec!["time".into(), "minutes".into()],
            target: "y".into(),
            one_hot: vec![],
            filled: vec![],
            dates: vec![],
        },
        standardization: Some(Standardization {
            mean: ndarray::array![1.7e9 + 300.0, 5.0],
            std: ndarray::array![173.2, 2.9],
        }),
    }
}

fn model<F: dnn_core::Float>(n0: usize, spec: DataSpec) -> Model
where
    Network<F>: Into<dnn_data::model::AnyNetwork>,
{
    let output = if spec.regression.is_some() {
        Activation::Identity
    } else {
        Activation::Sigmoid
    };
    let net = Network::<F>::builder(&[n0, 3, 1])
        .output(output)
        .build(&mut NumpyRng::new(1))
        .unwrap();
    Model::new(net, Some(spec))
}

fn input_metadata(model: &Model) -> Value {
    serde_json::from_str(&metadata(model)["input"]).unwrap()
}

/// An f32 picture model without a z-score keeps a `float` input: the graph's `Div(x, 255)`
/// in float gives the correctly rounded quotient of the byte (exact in float) by 255, and
/// dnn gives its f32 network `b / 255` computed in f64 and rounded once to f32. The two are
/// the same for every byte only if no quotient falls where rounding twice differs from
/// rounding once; this checks all 256.
#[test]
fn every_pixel_divided_by_255_in_float_is_the_double_quotient_rounded_once() {
    let differ: Vec<u8> = (0..=255u8)
        .filter(|&b| f32::from(b) / 255.0f32 != (f64::from(b) / 255.0) as f32)
        .collect();
    assert_eq!(
        differ,
        Vec::<u8>::new(),
        "bytes whose float quotient differs"
    );
}

/// `x` is double wherever dnn's preprocessing is: for an f64 model, and for an f32 model
/// that z-scores (in f64); float only for an f32 model whose preprocessing is exact in float.
#[test]
fn x_is_double_for_f64_models_and_for_f32_models_that_standardise() {
    assert_eq!(
        input_type(&model::<f64>(4, picture_spec(1, false))),
        "double"
    );
    assert_eq!(
        input_type(&model::<f32>(4, picture_spec(1, false))),
        "float"
    );
    assert_eq!(
        input_type(&model::<f32>(4, picture_spec(1, true))),
        "double"
    );
    assert_eq!(input_type(&model::<f32>(2, table_spec(None))), "double");
    let regression = Some(TargetScale {
        mean: 1e9,
        std: 0.4,
    });
    assert_eq!(
        input_type(&model::<f32>(2, table_spec(regression))),
        "double"
    );
    let bare = Model::new(
        Network::<f32>::builder(&[2, 1])
            .build(&mut NumpyRng::new(1))
            .unwrap(),
        None,
    );
    assert_eq!(input_type(&bare), "float");
}

/// A picture model's metadata says how a picture file becomes `x` as dnn does it
/// (`crate::image`: `resize_exact` with the triangle filter after the EXIF orientation,
/// `into_luma8` for grey), and a grey model's how colour becomes grey.
#[test]
fn a_picture_models_metadata_says_how_a_picture_becomes_x() {
    let rgb = input_metadata(&model::<f64>(12, picture_spec(3, false)));
    assert_eq!(rgb["resize"], PICTURE_RESIZE);
    for words in [
        "no crop",
        "aspect ratio not kept",
        "triangle (bilinear)",
        "EXIF",
    ] {
        assert!(PICTURE_RESIZE.contains(words), "{words}: {PICTURE_RESIZE}");
    }
    assert_eq!(rgb.get("grey"), None, "an RGB model takes no grey formula");
    let grey = input_metadata(&model::<f64>(4, picture_spec(1, false)));
    assert_eq!(grey["resize"], PICTURE_RESIZE);
    assert_eq!(grey["grey"], PICTURE_GREY);
    assert!(PICTURE_GREY.starts_with("(2126 R + 7152 G + 722 B) / 10000"));
    // The image crate's own conversion, which dnn uses, gives the formula's value.
    let (r, g, b) = (200u32, 30u32, 90u32);
    let pixel = image::Rgb([r as u8, g as u8, b as u8]);
    let luma = image::Pixel::to_luma(&pixel).0[0];
    assert_eq!(u32::from(luma), (2126 * r + 7152 * g + 722 * b) / 10000);
}

/// The regression metadata says to undo the target's z-score in float64, and a
/// standardised model's input metadata says the z-score is done in float64 (its mean and
/// std are F64): in float32 a Unix time, or a target of 1e9 ± 0.4, loses its spread.
#[test]
fn the_metadata_says_where_float64_is_needed() {
    let scale = TargetScale {
        mean: 1e9,
        std: 0.4,
    };
    let m = model::<f32>(2, table_spec(Some(scale)));
    let regression: Value = serde_json::from_str(&metadata(&m)["regression"]).unwrap();
    assert_eq!(regression["value"], REGRESSION_VALUE);
    assert!(REGRESSION_VALUE.starts_with("float64(output) * std + mean"));
    assert_eq!(
        (regression["mean"].as_f64(), regression["std"].as_f64()),
        (Some(1e9), Some(0.4))
    );
    assert_eq!(
        input_metadata(&m)["preprocessing_dtype"],
        "float64, then rounded once to float32 (the model's dtype)"
    );
    assert_eq!(
        input_metadata(&model::<f64>(2, table_spec(None)))["preprocessing_dtype"],
        "float64"
    );
    // An all-number table names its inputs too: its columns.
    assert_eq!(
        input_metadata(&model::<f64>(2, table_spec(None)))["inputs"],
        serde_json::json!(["time", "minutes"])
    );
    assert_eq!(
        input_metadata(&model::<f32>(4, picture_spec(1, false))).get("preprocessing_dtype"),
        None,
        "nothing to say without a z-score"
    );
}

/// Class weights are a JSON array beside `classes`, each the shortest text of its number.
#[test]
fn class_weights_are_a_json_array_of_numbers() {
    let mut m = model::<f64>(2, table_spec(None));
    assert!(!metadata(&m).contains_key("class_weights"));
    m.setup.class_weights = Some(vec![0.1 + 0.2, 5.0]);
    let text = &metadata(&m)["class_weights"];
    assert_eq!(text, "[0.30000000000000004,5]");
    let read: Vec<f64> = serde_json::from_str(text).unwrap();
    assert_eq!(read, [0.1 + 0.2, 5.0]);
}
