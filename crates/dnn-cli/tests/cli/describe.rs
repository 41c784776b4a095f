//! `dnn describe`: its verdict on a table is `dnn train`'s (it loads as given exactly when
//! `dnn train` does, and the flags it names make `dnn train` load it), every refusal of a
//! table comes out in one run, and a file that cannot be read fails as the other commands
//! fail.

use std::path::Path;

use crate::common::{dnn_in, Run};

/// A table like palmerpenguins' raw export (`penguins_raw.csv`): an id of 120 values, dates
/// of nesting, `NA` among the measurements, an empty `Sex` in some rows, the species last.
fn penguins_raw() -> String {
    let mut text =
        "studyName,Individual ID,Date Egg,Culmen Length (mm),Body Mass (g),Sex,Species\n"
            .to_owned();
    for i in 0..120 {
        let length = match i % 40 {
            3 => "NA".to_owned(),
            _ => format!("{:.1}", 35.0 + (i % 23) as f64 * 0.7),
        };
        let mass = match i % 50 {
            9 => String::new(),
            _ => (3000 + 25 * (i % 37)).to_string(),
        };
        text.push_str(&format!(
            "PAL0{},N{i}A1,2007-11-{:02},{length},{mass},{},{}\n",
            708 + 101 * (i % 3),
            1 + i % 20,
            ["MALE", "FEMALE", "", "MALE"][i % 4],
            ["Adelie", "Gentoo", "Chinstrap"][i % 3]
        ));
    }
    text
}

/// Seattle's weather, as vega's data sets have it: a date per row (more than 100 of them),
/// then numbers and the weather.
fn seattle() -> String {
    let mut text = "date,precipitation,temp_max,wind,weather\n".to_owned();
    for i in 0..120 {
        text.push_str(&format!(
            "2012/{:02}/{:02},{:.1},{:.1},{:.1},{}\n",
            1 + i / 28,
            1 + i % 28,
            (i % 9) as f64 * 1.3,
            5.0 + (i % 17) as f64,
            1.0 + (i % 7) as f64 * 0.6,
            ["sun", "rain", "fog"][i % 3]
        ));
    }
    text
}

/// R's `write.csv` of a numeric frame: a nameless first column of row names, quoted names.
fn r_write_csv() -> String {
    let mut text = "\"\",\"bill\",\"flipper\",\"island\",\"species\"\n".to_owned();
    for i in 1..=60 {
        text.push_str(&format!(
            "\"{i}\",{:.1},{},\"{}\",\"{}\"\n",
            36.0 + (i % 11) as f64 * 0.9,
            180 + i % 13,
            ["Biscoe", "Dream"][i % 2],
            ["Adelie", "Gentoo"][i % 2]
        ));
    }
    text
}

/// A table saved where the decimal mark is a comma: `;` between cells, `NA` among numbers.
fn semicolons() -> String {
    let mut text = "age;income;children;owns_car\n".to_owned();
    for i in 0..40 {
        let income = match i % 13 {
            5 => "NA".to_owned(),
            _ => format!("{}", 1800 + 90 * (i % 11)),
        };
        text.push_str(&format!(
            "{};{income};{};{}\n",
            20 + i % 30,
            i % 4,
            ["yes", "no"][i % 2]
        ));
    }
    text
}

/// Labels left empty in 3 of 40 rows, and `NA` in one (`--drop-unlabeled`).
fn empty_labels() -> String {
    let mut text = "x,y\n".to_owned();
    for i in 0..40 {
        let y = match i {
            4 | 17 | 30 => "",
            9 => "NA",
            _ => ["1", "2"][i % 2],
        };
        text.push_str(&format!("{},{y}\n", i % 7));
    }
    text
}

/// Excel's European CSV: `;` between cells, decimal commas (`--decimal-comma`), and once
/// those read, a missing number (`--fill-missing`).
fn decimal_commas() -> String {
    let mut text = "length;width;species\n".to_owned();
    for i in 0..40 {
        let width = match i {
            12 => String::new(),
            _ => format!("{},{}", 1 + i % 3, i % 10),
        };
        let species = ["setosa", "virginica"][i % 2];
        text.push_str(&format!("{},{};{width};{species}\n", 4 + i % 3, i % 7));
    }
    text
}

/// A German export: prices written by hand with a decimal comma and points between
/// thousands (both flags read them, neither alone), amounts with a decimal comma, shares in
/// percent (`--parse-numbers`).
fn hand_written_decimals() -> String {
    let mut text = "Preis;Menge;Anteil;y\n".to_owned();
    for i in 0..40 {
        text.push_str(&format!(
            "{}.{:03},{:02} €;{},{};{} %;{}\n",
            1 + i % 9,
            (i * 37) % 1000,
            i % 100,
            i % 5,
            i % 10,
            (i * 7) % 100,
            ["a", "b"][i % 2]
        ));
    }
    text
}

/// A column of dates with one impossible date (`2012-02-30`).
fn a_bad_date() -> String {
    let mut text = "when,x,y\n".to_owned();
    for i in 0..40 {
        let when = match i {
            7 => "2012-02-30".to_owned(),
            _ => format!("2012-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
        };
        text.push_str(&format!("{when},{},{}\n", i % 7, i % 2));
    }
    text
}

/// A code column of letters with one number among them (`--one-hot` reads it), and a
/// number column with a word in it (`--drop`).
fn codes_and_a_word() -> String {
    let mut text = "grade,weight,label\n".to_owned();
    for i in 0..30 {
        let grade = if i == 4 { "3" } else { ["A", "B", "C"][i % 3] };
        let weight = if i == 11 {
            "unknown".to_owned()
        } else {
            format!("{}", 50 + i)
        };
        text.push_str(&format!("{grade},{weight},{}\n", ["x", "y"][i % 2]));
    }
    text
}

/// A text column whose only value falls in the test part of the default split (row 6 of
/// 20): refused by loading, not by reading, and mended by `--drop note`.
fn a_value_only_in_the_test_part() -> String {
    let mut text = "x,note,y\n".to_owned();
    for i in 1..=20 {
        let note = if i == 6 { "late" } else { "" };
        text.push_str(&format!(
            "{:.2},{note},{}\n",
            i as f64 * 0.37,
            ["a", "b"][i % 2]
        ));
    }
    text
}

/// The flags in the backquotes of describe's last line (`with `--drop 'Individual ID'
/// --fill-missing median` it loads`), split as a shell splits them.
fn suggested_flags(last: &str) -> Vec<String> {
    let inside = last
        .split_once("with `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(flags, _)| flags)
        .unwrap_or_else(|| panic!("no flags in {last:?}"));
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in inside.chars() {
        match c {
            '\'' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => (word.push(c), any = true).1,
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// `dnn train` on `file` with `flags`, as briefly as it trains.
fn train(dir: &Path, file: &str, flags: &[String]) -> Run {
    let mut args: Vec<&str> = vec![
        "train",
        "--data",
        file,
        "--hidden",
        "2",
        "--iterations",
        "1",
        "-q",
        "--save",
        "m.h5",
    ];
    args.extend(flags.iter().map(String::as_str));
    dnn_in(dir, &args)
}

fn describe(dir: &Path, file: &str) -> Run {
    let run = dnn_in(dir, &["describe", "--data", file]);
    assert_eq!(run.code, Some(0), "describe {file}: {}", run.stderr);
    assert!(
        run.stderr.is_empty(),
        "describe {file} wrote: {}",
        run.stderr
    );
    run
}

#[test]
fn a_column_of_dates_shows_its_earliest_and_latest_date_and_its_days() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // seattle(): 2012/01/01 (row 0) to 2012/05/08 (row 119: month 1 + 119 / 28, day 1 + 119 %
    // 28), each row its own day; penguins_raw(): 2007-11-01 to 2007-11-20, each day 6 times.
    for (file, text, name, want) in [
        (
            "seattle.csv",
            seattle(),
            "date",
            "2012-01-01 – 2012-05-08, 120 days",
        ),
        (
            "penguins_raw.csv",
            penguins_raw(),
            "Date Egg",
            "2007-11-01 – 2007-11-20, 20 days",
        ),
    ] {
        std::fs::write(tmp.path().join(file), text).expect("write");
        let out = describe(tmp.path(), file).stdout;
        let row = out
            .lines()
            .find(|l| l.split("  ").any(|cell| cell.trim() == name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{out}"));
        assert!(row.contains(&format!("  {want}  ")), "{out}");
    }
}

#[test]
fn the_verdict_and_the_flags_it_names_are_what_dnn_train_does() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // (file, its text, whether train loads it as given, whether some flags make it load)
    let tables = [
        ("penguins_raw.csv", penguins_raw(), false, true),
        ("seattle.csv", seattle(), true, true),
        ("r.csv", r_write_csv(), true, true),
        ("semicolons.csv", semicolons(), false, true),
        ("codes.csv", codes_and_a_word(), false, true),
        ("late.csv", a_value_only_in_the_test_part(), false, true),
        ("empty_labels.csv", empty_labels(), false, true),
        ("eu.csv", decimal_commas(), false, true),
        ("de.csv", hand_written_decimals(), false, true),
        ("bad_date.csv", a_bad_date(), false, true),
        (
            "no_label.csv",
            "x,y\n1,\n2,\n3,\n4,\n".to_owned(),
            false,
            false,
        ),
        ("dup.csv", "x,x,y\n1,2,a\n3,4,b\n".to_owned(), false, false),
    ];
    for (file, text, as_given, mendable) in tables {
        std::fs::write(dir.join(file), text).expect("write");
        let run = describe(dir, file);
        let last = run.stdout.lines().last().unwrap_or_default();
        let trained = train(dir, file, &[]);
        assert_eq!(
            trained.code == Some(0),
            as_given,
            "{file}: train as given: {}",
            trained.stderr
        );
        if as_given {
            assert!(
                last.starts_with("dnn train would read this as given: "),
                "{file}: {last}"
            );
            continue;
        }
        assert!(
            last.starts_with("dnn train refuses this table as given"),
            "{file}: {last}"
        );
        // train's own refusal is among those describe lists.
        let refusal = trained.stderr.trim_end();
        let said = refusal
            .split_once(&format!("{file}: "))
            .map_or(refusal, |(_, said)| said);
        assert!(
            run.stdout.contains(said),
            "{file}: describe does not list train's refusal {said:?}:\n{}",
            run.stdout
        );
        if mendable {
            let flags = suggested_flags(last);
            let mended = train(dir, file, &flags);
            assert_eq!(
                mended.code,
                Some(0),
                "{file}: train {flags:?}: {}",
                mended.stderr
            );
        } else {
            assert!(!last.contains("it loads"), "{file}: {last}");
        }
        // Both notation flags keep the prices that neither reads alone: nothing dropped.
        // A column of dates but for a cell is not one-hot encoded date by date.
        if file == "bad_date.csv" {
            assert!(last.contains("with `--drop when` it loads"), "{last}");
        }
        if file == "de.csv" {
            assert_eq!(
                last,
                "dnn train refuses this table as given; with `--decimal-comma --parse-numbers` \
                 it loads: 40 examples, 3 inputs, 2 classes"
            );
        }
    }
}

#[test]
fn every_refusal_and_warning_of_a_raw_export_comes_out_in_one_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("penguins_raw.csv"), penguins_raw()).expect("write");
    let out = describe(tmp.path(), "penguins_raw.csv").stdout;
    let row = |name: &str| {
        out.lines()
            .find(|l| l.split("  ").any(|cell| cell.trim() == name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{out}"))
    };
    assert!(
        out.starts_with(
            "penguins_raw.csv: a CSV table, cells separated by commas, 120 rows under a header \
             of 7 columns"
        ),
        "{out}"
    );
    // Counted as pandas counts them: `NA` in rows 4, 44 and 84, 30 empty `Sex` cells.
    assert!(row("Individual ID").ends_with("refused (--drop)"), "{out}");
    assert!(
        row("Culmen Length (mm)").contains(" 3 ")
            && row("Culmen Length (mm)").ends_with("refused (--fill-missing)"),
        "{out}"
    );
    assert!(
        row("Date Egg").contains("dates (year-month-day) → 5 inputs"),
        "{out}"
    );
    assert!(
        row("Sex").contains("text → 2 inputs") && row("Sex").contains("MALE 60, FEMALE 30"),
        "{out}"
    );
    assert!(row("Species").contains("target: 3 classes"), "{out}");
    // Both refusals, each with its flag; the second column of missing numbers on the line
    // that names them all.
    assert!(
        out.contains(
            "\n  --drop 'Individual ID'  column `Individual ID` is text with 120 different values"
        ),
        "{out}"
    );
    assert!(
        out.contains("row 4 (line 5), column `Culmen Length (mm)`: `NA` marks a missing value"),
        "{out}"
    );
    assert!(
        out.contains("likewise missing numbers in 1 more column: `Body Mass (g)` (3)"),
        "{out}"
    );
    // The line dnn train prints about the dates, on stdout with the rest.
    assert!(
        out.contains(
            "\nDates, read into 5 inputs (--date-parts chooses them): Date Egg (year-month-day: \
             year, month, day, weekday, day_of_year)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Target: Species, the last column (--target names another), 3 classes"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "dnn train refuses this table as given; with `--drop 'Individual ID' --fill-missing \
             median` it loads: 120 examples, 12 inputs, 3 classes\n"
        ),
        "{out}"
    );
    // Every row of the column table is as wide as its header up to the role.
    let table: Vec<&str> = out.lines().skip(2).take_while(|l| !l.is_empty()).collect();
    let role_at = |l: &str| l[..l.rfind("  ").unwrap_or(0)].chars().count();
    assert_eq!(table.len(), 8, "{out}");
    assert!(
        table.iter().all(|l| role_at(l) == role_at(table[0])),
        "{out}"
    );
}

#[test]
fn long_values_and_names_are_cut_with_an_ellipsis() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let long = "a column name far longer than any table should need";
    let mut text = format!("{long},y\n");
    for i in 0..10 {
        text.push_str(&format!(
            "\"free text that runs on, {i}, and on\",{}\n",
            i % 2
        ));
    }
    std::fs::write(tmp.path().join("wide.csv"), text).expect("write");
    let out = describe(tmp.path(), "wide.csv").stdout;
    assert!(out.contains("a column name far longe…"), "{out}");
    assert!(out.contains("free text that ru… 1"), "{out}");
    let table = out.lines().skip(2).take_while(|l| !l.is_empty());
    assert!(
        table.clone().count() == 3 && table.clone().all(|l| l.chars().count() < 120),
        "{out}"
    );
}

#[test]
fn a_file_that_cannot_be_read_fails_with_one_error_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("latin1.csv"), b"island,y\nR\xeave,a\nDream,b\n").expect("write");
    std::fs::write(dir.join("t.csv"), [0x1f, 0x8b, 8, 0, 0, 0]).expect("write");
    std::fs::write(dir.join("t.xlsx"), b"PK\x03\x04").expect("write");
    std::fs::write(dir.join("t.dat"), "x,y\n1,a\n").expect("write");
    for (file, says) in [
        ("missing.csv", "missing.csv: file not found"),
        ("latin1.csv", "iconv -f cp1252 -t utf-8"),
        ("t.csv", "gzip-compressed"),
        ("t.xlsx", "an Excel workbook (.xlsx) is a zip archive"),
        ("t.dat", "cannot tell its format"),
    ] {
        let run = dnn_in(dir, &["describe", "--data", file]);
        assert_eq!(run.code, Some(1), "{file}: {run:?}");
        assert!(run.stdout.is_empty(), "{file}: {}", run.stdout);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!(
            lines.len() == 1
                && lines[0].starts_with("error: cannot load --data: ")
                && lines[0].contains(says),
            "{file}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_npz_archive_is_described_as_dnn_train_would_load_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let x = ndarray::Array2::from_shape_fn((12, 2), |(i, j)| (2 * i + j) as f64 * 0.5);
    let y = ndarray::Array1::from_shape_fn(12, |i| (i % 3) as i64);
    let mut npz =
        ndarray_npy::NpzWriter::new(std::fs::File::create(dir.join("t.npz")).expect("npz"));
    npz.add_array("x", &x).expect("x");
    npz.add_array("y", &y).expect("y");
    npz.finish().expect("npz");
    let out = describe(dir, "t.npz").stdout;
    assert!(
        out.starts_with("Data: t.npz (npz): 9 training and 3 test examples"),
        "{out}"
    );
    assert!(
        out.ends_with("dnn train would read this as given: 12 examples, 2 inputs, 3 classes\n"),
        "{out}"
    );
}

/// A file of a header only: its columns have no cells to be read as anything, and the verdict
/// is train's refusal.
#[test]
fn a_header_without_rows_shows_columns_of_no_cells() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("header.csv"), "a,b,label\n").unwrap();
    let run = describe(dir.path(), "header.csv");
    assert_eq!(run.code, Some(0), "{run:?}");
    let rows: Vec<Vec<&str>> = (run.stdout.lines())
        .filter(|l| l.starts_with("1 ") || l.starts_with("2 ") || l.starts_with("3 "))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0][..4], ["1", "a", "no", "cells"], "{}", run.stdout);
    assert_eq!(rows[1][..4], ["2", "b", "no", "cells"], "{}", run.stdout);
    assert_eq!(rows[2][..3], ["3", "label", "target"], "{}", run.stdout);
    assert!(
        run.stdout.contains("dnn train refuses this table as given: the file has a header (3 columns) but no data rows"),
        "{}",
        run.stdout
    );
}

/// A column of day-first dates read with `--date-order month-first` is mended by leaving the
/// flag out, not by dropping the column: describe says so, and its verdict is train's without
/// the flag.
#[test]
fn dates_against_the_date_order_are_mended_by_leaving_the_flag_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("day,x,label\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{:02}/{:02}/2020,{},{}\n",
            13 + i % 15,
            1 + i % 12,
            (i * 7) % 11,
            i % 2
        ));
    }
    std::fs::write(dir.path().join("days.csv"), text).unwrap();
    let run = dnn_in(
        dir.path(),
        &[
            "describe",
            "--data",
            "days.csv",
            "--date-order",
            "month-first",
        ],
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let day = run
        .stdout
        .lines()
        .find(|l| l.starts_with("1  day"))
        .unwrap();
    assert!(day.ends_with("refused (leave out --date-order)"), "{day}");
    assert!(
        run.stdout.contains("  leave out --date-order  row 1 (line 2), column `day`: `13/01/2020` is no date read month/day/year"),
        "{}",
        run.stdout
    );
    let verdict = run.stdout.lines().last().unwrap();
    assert!(
        verdict.starts_with("dnn train refuses this table as given; without --date-order it loads: 40 examples, 6 inputs"),
        "{verdict}"
    );
    let trained = dnn_in(
        dir.path(),
        &[
            "train",
            "--data",
            "days.csv",
            "--iterations",
            "1",
            "-q",
            "--save",
            "m.h5",
        ],
    );
    assert_eq!(trained.code, Some(0), "{trained:?}");
    assert!(
        trained.stdout.contains(", 6 features, 2 classes"),
        "{}",
        trained.stdout
    );
}

/// A text column's inputs in the table are those training makes: its training part's values
/// (one met only in the test part is none), as the one-hot line and the verdict count them.
#[test]
fn a_text_columns_inputs_are_its_training_parts_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x,colour,y\n");
    for i in 0..40 {
        // `teal` only on row 3, which the default split puts in the test part.
        let colour = if i == 2 {
            "teal"
        } else {
            ["red", "green", "blue"][i % 3]
        };
        text.push_str(&format!("{},{colour},{}\n", i % 7, ["a", "b"][i % 2]));
    }
    std::fs::write(dir.path().join("c.csv"), text).unwrap();
    let run = describe(dir.path(), "c.csv");
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("2  colour"))
        .unwrap();
    let trained = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Text columns"))
        .unwrap();
    assert!(trained.contains("colour (3 values)"), "{}", run.stdout);
    assert!(row.contains("text → 3 inputs"), "{}", run.stdout);
    assert!(run.stdout.contains("4 inputs, 2 classes"), "{}", run.stdout);
}
