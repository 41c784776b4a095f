//! Your own table, end to end with the libraries: read a CSV, train a softmax network on
//! it, save the model with what its inputs mean, load it back, and classify new raw rows.
//!
//! `cargo run --release -p dnn-data --example own_table`

use dnn_core::{Activation, Init, Network, NumpyRng, Optimizer, TrainParams};
use dnn_data::model::{load_model, save_model_with, TrainingSetup};
use dnn_data::{load, LoadOptions};
use ndarray::array;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A table of three well-apart kinds, as a user would have it on disk.
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("sizes.csv");
    let mut text = String::from("width,height,kind\n");
    for (k, kind) in ["small", "medium", "large"].iter().enumerate() {
        for j in 0..40 {
            let base = 10.0 * (k as f64 + 1.0);
            let (w, h) = (
                base + (j % 7) as f64 * 0.3,
                2.0 * base + (j % 5) as f64 * 0.4,
            );
            text += &format!("{w},{h},{kind}\n");
        }
    }
    std::fs::write(&csv, text)?;

    // The last column is the label; 20 % of each class is held out; z-scored on training.
    let mut data = load(&csv, &LoadOptions::default())?;
    data.standardize();
    println!(
        "{} training and {} test rows, classes {:?}",
        data.train_len(),
        data.test_len(),
        data.spec.classes
    );

    let mut net = Network::<f64>::builder(&[data.features(), 8, data.outputs()])
        .init(Init::He)
        .output(Activation::Softmax)
        .build(&mut NumpyRng::new(1))?;
    let params = TrainParams::new()
        .optimizer(Optimizer::ADAM)
        .learning_rate(0.01)
        .iterations(300)
        .check()?;
    net.fit(&data.train_x, &data.train_y::<f64>(), &params)?;
    println!(
        "test accuracy {:.3}",
        net.accuracy(&data.test_x, &data.test_y::<f64>())?
    );

    // The file records the classes, the columns and the z-score with the weights.
    let path = dir.path().join("sizes.h5");
    save_model_with(&path, &net, &TrainingSetup::default(), &data.spec)?;
    let model = load_model(&path)?;

    // Two new examples, raw as in the CSV. The matrix is (features, m), one column per
    // example, as everywhere in dnn: the first row holds their widths, the second their
    // heights (the CSV's rows are its columns). `predict` applies the model's z-score first.
    let rows = array![[10.5, 20.5], [21.0, 41.0]];
    for p in model.predict(&rows)? {
        println!("{} (probability {:.3})", p.name, p.probability);
    }
    Ok(())
}
