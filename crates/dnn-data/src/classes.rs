//! Class names and their order: natural (sorted, or as the file lists them), fixed by the
//! user (`--classes`), or a model's.

use std::collections::{HashMap, HashSet};
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

/// The first name of `names` that repeats an earlier one: `(earlier, later)` positions. In one
/// pass with a hash map (a header or class list can have millions of names, and comparing each
/// with all before it took minutes).
///
/// ```text
/// first_repeat(["a", "b", "c", "b", "a"]) = Some((1, 3))
/// ```
pub(crate) fn first_repeat(names: &[String]) -> Option<(usize, usize)> {
    let mut first = HashMap::with_capacity(names.len());
    names
        .iter()
        .enumerate()
        .find_map(|(i, n)| first.insert(n.as_str(), i).map(|earlier| (earlier, i)))
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
    if let Some((_, later)) = first_repeat(&names) {
        return Err(mismatch(format!(
            "the class `{}` is listed twice in {}",
            names[later],
            names.join(",")
        )));
    }
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut map = Vec::with_capacity(natural.len());
    for (k, name) in natural.iter().enumerate() {
        match index.get(name.as_str()).copied() {
            Some(i) => map.push(i),
            // A listed class that no example has (a course file's `list_classes`) needs no
            // place when the user or the model named the classes.
            None if !seen[k] && !matches!(choice, ClassChoice::Natural) => map.push(usize::MAX),
            None => {
                return Err(mismatch(match choice {
                    ClassChoice::Among(_) => {
                        // Every class the model does not know, not only the first.
                        let unknown: Vec<&str> = natural
                            .iter()
                            .zip(seen)
                            .filter(|&(n, &s)| s && !index.contains_key(n.as_str()))
                            .map(|(n, _)| n.as_str())
                            .collect();
                        let mut named: Vec<String> =
                            unknown.iter().take(3).map(|n| format!("`{n}`")).collect();
                        if unknown.len() > 3 {
                            named.push(format!("{} more", unknown.len() - 3));
                        }
                        let (class, them) = if unknown.len() == 1 {
                            ("the class", "that class's examples")
                        } else {
                            ("the classes", "those classes' examples")
                        };
                        format!(
                            "the data has {class} {}, which the model does not know (its \
                             classes: {}): a model predicts only the classes it was trained \
                             with, so leave out {them}, or train a new model on data with {}",
                            named.join(", "),
                            names.join(", "),
                            if unknown.len() == 1 { "it" } else { "them" },
                        )
                    }
                    _ => format!(
                        "the data has the class `{name}`, which --classes does not list (the data's classes: {}; --classes: {})",
                        natural.join(", "),
                        names.join(", ")
                    ),
                }));
            }
        }
    }
    if exact {
        let known: HashSet<&str> = natural.iter().map(String::as_str).collect();
        if let Some(extra) = names.iter().find(|n| !known.contains(n.as_str())) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_repeat_is_found_with_both_positions() {
        let names = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(first_repeat(&names("a,b,c,b,a")), Some((1, 3)));
        assert_eq!(first_repeat(&names("a,b,c,c")), Some((2, 3)));
        assert_eq!(first_repeat(&names("a,a")), Some((0, 1)));
        assert_eq!(first_repeat(&names("a,b,c")), None);
        assert_eq!(first_repeat(&[]), None);
    }
}
