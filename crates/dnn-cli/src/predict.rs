//! `dnn predict`.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use dnn_data::image::load_picture;
use dnn_data::model::load_model;

use crate::evaluate::CLASSES;

pub fn run(args: PredictArgs) -> anyhow::Result<()> {
    let model = load_model(&args.model)?;
    let sizes = model.network.layer_sizes();
    if sizes[0] != 64 * 64 * 3 || sizes[sizes.len() - 1] != 1 {
        bail!(
            "{} has layer sizes {sizes:?}; predicting on pictures needs a cat classifier with 12288 inputs (64x64x3) and 1 output",
            args.model.display()
        );
    }
    // Every picture is checked before any is printed, so a bad one fails the whole command.
    let columns = args
        .images
        .iter()
        .map(load_picture::<f64>)
        .collect::<Result<Vec<_>, _>>()?;
    for (path, x) in args.images.iter().zip(columns) {
        let p = model.network.predict_proba(&x)?[[0, 0]];
        let class = CLASSES[usize::from(p > 0.5)];
        println!("{}: {class} (probability of cat: {p:.4})", path.display());
    }
    Ok(())
}

/// `dnn predict`'s flags.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model file written by `dnn train` (.h5), or a .safetensors from `dnn export`.
    #[arg(long)]
    pub model: PathBuf,

    /// One or more pictures (JPEG or PNG).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
}
