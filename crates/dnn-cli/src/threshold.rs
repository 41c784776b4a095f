//! `--threshold`: the probability above which a two-class model answers its second class, for
//! `dnn predict` and `dnn evaluate`.

use anyhow::bail;
use clap::Args;
use dnn_data::model::Model;

use crate::predict_columns::class_names;
use crate::values::parse_threshold;

/// `--threshold`, shared by `dnn predict` and `dnn evaluate`.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ThresholdFlag {
    /// Two-class models: answer the second class (the model's class 1, e.g. `cat` or `yes`)
    /// when its probability is above P, strictly between 0 and 1: lower finds more of that
    /// class (recall) at the cost of more false alarms (precision). `dnn evaluate --threshold`
    /// shows the trade on labelled data [default: 0.5, the most probable class].
    #[arg(long, value_name = "P", value_parser = parse_threshold)]
    pub threshold: Option<f64>,
}

impl ThresholdFlag {
    /// The threshold for `model` (`shown` is how the command names it): `None` without
    /// `--threshold`; refused for a model that predicts a number or has more than two
    /// classes, which no one threshold decides between.
    pub fn for_model(&self, model: &Model, shown: &str) -> anyhow::Result<Option<f64>> {
        let Some(t) = self.threshold else {
            return Ok(None);
        };
        let network = &model.network;
        if !network.output_activation().classifies() {
            bail!(
                "--threshold decides between two classes, but {shown} predicts a number; leave \
                 out --threshold"
            );
        }
        let outputs = network.output_size();
        if outputs > 2 {
            let classes = model.spec.as_ref().map_or(&[][..], |s| &s.classes[..]);
            bail!(
                "--threshold decides between two classes, but {shown} has {outputs} ({}) and \
                 answers the most probable; leave out --threshold",
                class_names(classes, outputs).join(", ")
            );
        }
        Ok(Some(t))
    }
}

/// `Threshold: `cat` when its probability is above 0.3 (--threshold; the most probable class
/// is 0.5)`, for the second of `classes`.
pub fn threshold_line(threshold: f64, classes: &[String]) -> String {
    format!(
        "Threshold: `{}` when its probability is above {threshold} (--threshold; 0.5 answers \
         the more probable class)",
        class_names(classes, 2)[1]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_line_names_the_second_class() {
        let classes = ["non-cat".to_owned(), "cat".to_owned()];
        assert_eq!(
            threshold_line(0.3, &classes),
            "Threshold: `cat` when its probability is above 0.3 (--threshold; 0.5 answers the \
             more probable class)"
        );
        // A file that names no classes: class 1.
        assert!(threshold_line(0.3, &[]).starts_with("Threshold: `1` when"));
    }
}
