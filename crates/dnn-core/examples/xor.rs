//! A user of dnn-core alone: generate data, build a network, train it, print its accuracy.
//!
//! `cargo run --release -p dnn-core --example xor`

use dnn_core::{Activation, Init, Network, NumpyRng, TrainParams};
use ndarray::Array2;

fn main() -> Result<(), dnn_core::DnnError> {
    // Two features, 200 examples, label 1 where the features have different signs.
    let mut rng = NumpyRng::new(0);
    let x = rng.randn(2, 200);
    let y = Array2::from_shape_fn((1, 200), |(_, j)| {
        ((x[[0, j]] > 0.0) != (x[[1, j]] > 0.0)) as u8 as f64
    });
    let mut net = Network::<f64>::builder(&[2, 8, 1])
        .hidden_activation(Activation::Tanh)
        .init(Init::Xavier)
        .build(&mut rng)?;
    let config = TrainParams::new()
        .learning_rate(1.0)
        .iterations(3000)
        .check()?;
    let report = net.fit(&x, &y, &config)?;
    println!(
        "cost {:.4} -> {:.4}",
        report.costs()[0],
        report.final_cost().unwrap_or(f64::NAN)
    );
    println!("accuracy {:.3}", net.accuracy(&x, &y)?);
    Ok(())
}
