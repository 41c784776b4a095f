//! `dnn evaluate`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use dnn_data::model::{load_model, AnyNetwork};
use dnn_data::CatDataset;
use ndarray::{s, Array2, Axis};

use crate::plot::{self, Tile};

/// The class names of the cat data set, by label.
pub const CLASSES: [&str; 2] = ["non-cat", "cat"];

pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.mislabeled {
        dnn_data::atomic::ensure_writable(path).context("--mislabeled")?;
        plot::check_extension(path).context("--mislabeled")?;
    }
    let model = load_model(&args.model)?;
    let data = CatDataset::<f64>::load(&args.data)
        .context("cannot load the cat data set (run `cargo xtask fetch-data` to get it)")?;
    check_fits(&model.network, data.train_x.nrows(), &args)?;
    println!(
        "Model: {} ({}, layers {})",
        args.model.display(),
        model.network.dtype(),
        model
            .network
            .layer_sizes()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("-")
    );
    let train = Scores::of(&model.network, &data.train_x, &data.train_y)?;
    let test = Scores::of(&model.network, &data.test_x, &data.test_y)?;
    println!(
        "Train accuracy: {:.6} ({} of {} correct)",
        train.accuracy(),
        train.correct(),
        train.total()
    );
    println!(
        "Test accuracy: {:.6} ({} of {} correct)",
        test.accuracy(),
        test.correct(),
        test.total()
    );
    println!();
    println!("Test set confusion counts (rows: true class, columns: predicted):");
    println!("{:>16} {:>10} {:>10}", "", "non-cat", "cat");
    for (t, name) in CLASSES.iter().enumerate() {
        println!(
            "{:>16} {:>10} {:>10}",
            format!("true {name}"),
            test.counts[t][0],
            test.counts[t][1]
        );
    }
    if let Some(path) = &args.mislabeled {
        let tiles: Vec<Tile> = test
            .mislabelled()
            .map(|(j, predicted, truth)| Tile {
                pixels: data.test_images.index_axis(Axis(0), j).to_owned(),
                caption: format!(
                    "Prediction: {}\nClass: {}",
                    CLASSES[predicted], CLASSES[truth]
                ),
            })
            .collect();
        plot::image_grid(
            path,
            &tiles,
            &format!(
                "Mislabelled test images ({} of {})",
                tiles.len(),
                test.total()
            ),
        )
        .with_context(|| format!("--mislabeled {}", path.display()))?;
        println!();
        println!(
            "Saved {} mislabelled images to {}",
            tiles.len(),
            path.display()
        );
    }
    Ok(())
}

/// `dnn evaluate`'s flags.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The model file written by `dnn train` (.h5), or a .safetensors from `dnn export`.
    #[arg(long)]
    pub model: PathBuf,

    /// Directory with train_catvnoncat.h5 and test_catvnoncat.h5.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,

    /// Save a grid of the mislabelled test images (.png).
    #[arg(long)]
    pub mislabeled: Option<PathBuf>,
}

fn check_fits(network: &AnyNetwork, features: usize, args: &EvaluateArgs) -> anyhow::Result<()> {
    let sizes = network.layer_sizes();
    if sizes[0] != features {
        bail!(
            "{} expects {} inputs per example, but the images in {} have {features}: this model was not trained on this data",
            args.model.display(),
            sizes[0],
            args.data.display()
        );
    }
    if sizes[sizes.len() - 1] != 1 {
        bail!(
            "{} has {} outputs, but the cat classifier needs 1",
            args.model.display(),
            sizes[sizes.len() - 1]
        );
    }
    Ok(())
}

/// Predictions against labels for one split.
struct Scores {
    predictions: Vec<usize>,
    labels: Vec<usize>,
    /// `counts[true][predicted]`.
    counts: [[usize; 2]; 2],
}

impl Scores {
    fn of(network: &AnyNetwork, x: &Array2<f64>, y: &Array2<f64>) -> anyhow::Result<Self> {
        let proba = network.predict_proba(x)?;
        let predictions: Vec<usize> = proba
            .slice(s![0, ..])
            .iter()
            .map(|&p| usize::from(p > 0.5))
            .collect();
        let labels: Vec<usize> = y
            .slice(s![0, ..])
            .iter()
            .map(|&v| usize::from(v > 0.5))
            .collect();
        let mut counts = [[0; 2]; 2];
        for (&p, &t) in predictions.iter().zip(&labels) {
            counts[t][p] += 1;
        }
        Ok(Scores {
            predictions,
            labels,
            counts,
        })
    }

    fn total(&self) -> usize {
        self.labels.len()
    }

    fn correct(&self) -> usize {
        self.counts[0][0] + self.counts[1][1]
    }

    fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.total() as f64
    }

    /// `(index, predicted, true)` of every mistake.
    fn mislabelled(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.predictions
            .iter()
            .zip(&self.labels)
            .enumerate()
            .filter(|(_, (p, t))| p != t)
            .map(|(j, (&p, &t))| (j, p, t))
    }
}
