//! How counts and lists read in messages: `1 prediction`, `3 predictions`; `a, b, c, and 941
//! more`. Every command's messages go through these, so a count of one is never `1
//! predictions` and a long list never fills the terminal.

/// `""` for one, `"s"` otherwise: the ending of a regular plural.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `1 prediction`, `3 predictions`: `n` and `noun` (a singular with a regular plural).
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

/// `text` with its first letter in upper case: `Accuracy`, `The data has ...`.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The first three of `items`, then how many more: `a, b, c, and 2 more`.
pub fn first_three(items: impl ExactSizeIterator<Item = String>) -> String {
    let n = items.len();
    let mut named: Vec<String> = items.take(3).collect();
    if n > 3 {
        named.push(format!("and {} more", n - 3));
    }
    named.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capitalised() {
        assert_eq!(capitalised("moons"), "Moons");
    }

    #[test]
    fn a_count_of_one_is_singular() {
        assert_eq!(count(1, "prediction"), "1 prediction");
        assert_eq!(count(0, "prediction"), "0 predictions");
        assert_eq!(count(2, "epoch"), "2 epochs");
    }

    #[test]
    fn a_long_list_names_three_and_counts_the_rest() {
        let names = |n: usize| {
            (0..n)
                .map(|i| format!("c{i}"))
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(first_three(names(3)), "c0, c1, c2");
        assert_eq!(first_three(names(944)), "c0, c1, c2, and 941 more");
    }
}
