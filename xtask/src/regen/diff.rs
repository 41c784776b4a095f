//! Where two versions of a fixture file differ, said for a person.

use serde_json::Value;

/// Where two versions of a file first differ, for a person: the first differing value and its
/// JSON path when both are JSON, else the first differing line.
pub fn first_difference(old: &[u8], new: &[u8]) -> String {
    if let (Ok(a), Ok(b)) = (
        serde_json::from_slice::<Value>(old),
        serde_json::from_slice::<Value>(new),
    ) {
        if let Some((path, a, b)) = first_json_difference(&a, &b, "$".to_string()) {
            return format!("first differing value at {path}: committed {a}, regenerated {b}");
        }
    }
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let mut line = 0;
    let mut old_lines = old.split('\n');
    let mut new_lines = new.split('\n');
    loop {
        line += 1;
        match (old_lines.next(), new_lines.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (a, b) => {
                let show = |l: Option<&str>| {
                    l.map_or("(end of file)".to_string(), |l| {
                        format!("`{}`", l.chars().take(120).collect::<String>())
                    })
                };
                return format!(
                    "first differing line {line}: committed {}, regenerated {}",
                    show(a),
                    show(b)
                );
            }
        }
    }
}

/// The first place where two JSON values differ (depth first, object keys in sorted order):
/// its path and both values, or `None` when they are equal.
fn first_json_difference(a: &Value, b: &Value, path: String) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let here = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => first_json_difference(v, w, here),
                    (v, w) => Some((here, show(v), show(w))),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_json_difference(v, w, format!("{path}[{i}]")))
            .or_else(|| {
                (x.len() != y.len()).then(|| {
                    (
                        format!("{path} (length)"),
                        x.len().to_string(),
                        y.len().to_string(),
                    )
                })
            }),
        _ => (a != b).then(|| (path, a.to_string(), b.to_string())),
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or("(absent)".to_string(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_json_value_is_named_with_its_path() {
        let old =
            br#"{"entries": [{"costs": [[0, 0.5], [100, 0.5401376634547801]]}], "v": "2.4.6"}"#;
        let new = br#"{"entries": [{"costs": [[0, 0.5], [100, 0.54013766345478]]}], "v": "2.4.6"}"#;
        assert_eq!(
            first_difference(old, new),
            "first differing value at $.entries[0].costs[1][1]: committed 0.5401376634547801, \
             regenerated 0.54013766345478"
        );
        assert_eq!(
            first_difference(br#"{"a": [1, 2]}"#, br#"{"a": [1]}"#),
            "first differing value at $.a (length): committed 2, regenerated 1"
        );
        assert_eq!(
            first_difference(br#"{"a": 1}"#, br#"{"a": 1, "b": null}"#),
            "first differing value at $.b: committed (absent), regenerated null"
        );
    }

    #[test]
    fn a_formatting_difference_is_named_by_its_line() {
        assert_eq!(
            first_difference(b"{\"a\": 1}\n", b"{\"a\": 1}"),
            "first differing line 2: committed ``, regenerated (end of file)"
        );
        assert_eq!(
            first_difference(b"x\ny\n", b"x\nz\n"),
            "first differing line 2: committed `y`, regenerated `z`"
        );
    }
}
