//! Class names and their order: natural (sorted, or as the file lists them), fixed by the
//! user (`--classes`), or a model's.

use std::path::Path;

use crate::error::{DataError, Result};

/// How the classes of a data set are named and ordered.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum ClassChoice {
    /// As the source gives them: sorted folder names (as torchvision's `ImageFolder`),
    /// sorted CSV or npz labels (numerically when they are all integers), or a course
    /// file's `list_classes`.
    #[default]
    Natural,
    /// Exactly these classes in this order; they must be the data's classes, no more, no fewer.
    Exactly(Vec<String>),
    /// These classes in this order (a trained model's); every class of the data must be
    /// among them, not every one of them need appear.
    Among(Vec<String>),
}

/// Sorts label names: numerically when every one is an integer, else by their bytes.
pub(crate) fn sort_names(names: &mut [String]) {
    let numbers: Option<Vec<i128>> = names.iter().map(|n| n.trim().parse().ok()).collect();
    if numbers.is_some() {
        names.sort_by_key(|n| n.trim().parse::<i128>().unwrap_or_default());
    } else {
        names.sort();
    }
}

/// Resolves `choice` against `natural` (the source's class names in their natural order)
/// and the classes its examples have (`seen[k]`: some example, train or test, is of class
/// `natural[k]`). Returns the final names and, for each natural index, its final index.
///
/// # Errors
/// [`DataError::ClassMismatch`] when the names given do not match the data's.
pub(crate) fn resolve(
    path: &Path,
    natural: &[String],
    seen: &[bool],
    choice: &ClassChoice,
) -> Result<(Vec<String>, Vec<usize>)> {
    let mismatch = |problem: String| DataError::ClassMismatch {
        path: path.to_path_buf(),
        problem,
    };
    let (names, exact) = match choice {
        ClassChoice::Natural => (natural.to_vec(), true),
        ClassChoice::Exactly(given) => (given.clone(), true),
        ClassChoice::Among(given) => (given.clone(), false),
    };
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return Err(mismatch(format!(
            "the class `{}` is listed twice in {}",
            dup.1,
            names.join(",")
        )));
    }
    let mut map = Vec::with_capacity(natural.len());
    for (k, name) in natural.iter().enumerate() {
        match names.iter().position(|n| n == name) {
            Some(i) => map.push(i),
            // A listed class that no example has (a course file's `list_classes`) needs no
            // place when the user or the model named the classes.
            None if !seen[k] && !matches!(choice, ClassChoice::Natural) => map.push(usize::MAX),
            None => {
                return Err(mismatch(match choice {
                    ClassChoice::Among(_) => format!(
                        "the data has the class `{name}`, which the model does not know (its classes: {})",
                        names.join(", ")
                    ),
                    _ => format!(
                        "the data has the class `{name}`, which --classes does not list (the data's classes: {}; --classes: {})",
                        natural.join(", "),
                        names.join(", ")
                    ),
                }))
            }
        }
    }
    if exact {
        if let Some(extra) = names.iter().find(|n| !natural.contains(n)) {
            return Err(mismatch(format!(
                "--classes lists `{extra}`, which is not a class of the data (its classes: {})",
                natural.join(", ")
            )));
        }
    }
    if names.len() == 1 && natural.len() == 1 {
        return Err(DataError::SingleClass {
            path: path.to_path_buf(),
            class: natural[0].clone(),
        });
    }
    if names.len() < 2 {
        return Err(mismatch(format!(
            "a classifier needs at least two classes, not {}",
            names.len()
        )));
    }
    Ok((names, map))
}

/// Maps every label through `map` (natural index → final index).
pub(crate) fn remap(labels: &mut [usize], map: &[usize]) {
    for l in labels {
        *l = map[*l];
    }
}

/// Fails with [`DataError::SingleClass`] unless the training labels hold two classes or more.
pub(crate) fn require_two(path: &Path, names: &[String], train: &[usize]) -> Result<()> {
    let first = train.first().copied();
    match first {
        Some(c) if train.iter().any(|&l| l != c) => Ok(()),
        _ => Err(DataError::SingleClass {
            path: path.to_path_buf(),
            class: first
                .and_then(|c| names.get(c))
                .cloned()
                .unwrap_or_default(),
        }),
    }
}

/// `seen[k]`: some label is `k`.
pub(crate) fn seen(classes: usize, labels: &[&[usize]]) -> Vec<bool> {
    let mut out = vec![false; classes];
    for part in labels {
        for &l in *part {
            out[l] = true;
        }
    }
    out
}
