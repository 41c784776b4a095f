//! `dnn describe`: a look at a data file before training, so that what `dnn train` would
//! refuse comes out in one run rather than one refusal per run.
//!
//! For a CSV table: the format as detected, one row per column (how dnn reads it, missing
//! cells, distinct values, the range of its numbers or dates or its most common values, its
//! role), every refusal with the flag that mends it ([`dnn_data::profile`]), the target as
//! `dnn train` would print it, every warning `dnn train` would print, and a verdict: the table
//! loads as given, or loads with the flags named (which describe has loaded with, through
//! `dnn train`'s own loading), or no flag mends it. For an npz archive, an image folder, an image CSV or a course set: what
//! `dnn train` would load (examples, inputs, classes or a number, picture size).
//!
//! It exits 0 when it could describe the data, refusals and all, and 1 with one `error:`
//! line when the file cannot be read at all (missing, compressed, not UTF-8, of no format
//! dnn reads), as the other commands do.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use dnn_data::error::shell_word;
use dnn_data::profile::{profile, ColumnProfile, DateSpan, Mend, Profile, Reading, Role};
use dnn_data::table::Columns;
use dnn_data::{DataError, Dataset, Format, Input};

use crate::data::{
    data_line, dates_line, filled_line, format_of, load_for_training, one_hot_line, pictures_line,
    split_line, target_line, FillArg, ReadFlags, OWN_TEST_PART,
};
use crate::output::{capture_err, say};
use crate::text::{count, plural};

/// What the flag column of a refusal says when no flag mends it.
const NO_FLAG: &str = "(no flag)";

/// The widest a column's name is shown in the table, in characters (then `…`).
const NAME_WIDTH: usize = 24;
/// The widest a value is shown among the most common ones (then `…`).
const VALUE_WIDTH: usize = 18;
/// The widest the values cell is shown (then `…`).
const VALUES_WIDTH: usize = 44;

/// `dnn describe`'s flags: the data and `dnn train`'s flags for reading it.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The data to look at: a CSV table (.csv, .tsv), a .npz archive, an image folder, an
    /// image CSV or a course HDF5 directory, read as `dnn train --data` reads it.
    #[arg(long)]
    pub data: PathBuf,

    /// How to read it, as `dnn train` would.
    #[command(flatten)]
    pub reading: ReadFlags,
}

/// Describes `--data`.
pub fn run(args: DescribeArgs) -> anyhow::Result<()> {
    let path = args.data.as_path();
    let flags = &args.reading;
    let format =
        format_of(path, flags.format, &flags.image_names.names()).context("cannot load --data")?;
    match format {
        Format::Csv => {
            // The table is read three times: the profile, its mended reading, the load.
            crate::allocator::fixed_mmap_threshold();
            describe_table(path, flags)
        }
        _ => describe_other(path, flags),
    }
}

/// What `dnn train` makes of the data, read with some flags.
enum Verdict {
    /// It loads: the data and the warning lines it prints.
    Loads(Box<Dataset<f64>>, Vec<String>),
    /// It is refused, and no flag describe knows mends it.
    Refused(anyhow::Error),
}

/// A CSV table: its profile, then the verdict of loading it as given, or with the mends.
fn describe_table(path: &Path, flags: &ReadFlags) -> anyhow::Result<()> {
    let parts = crate::data::date_parts(&flags.date_parts);
    let which = Columns {
        target: flags.target.as_deref(),
        labels_required: true,
        drop: &flags.drop,
        text: &flags.one_hot,
        fill_missing: flags.fill_missing.is_some(),
        date_parts: parts.as_deref(),
        date_order: flags.date_order.map(Into::into),
        decimal_comma: flags.decimal.decimal_comma,
        parse_numbers: flags.decimal.parse_numbers,
        drop_unlabeled: flags.unlabeled.drop_unlabeled,
        groups: flags.group_by.as_deref(),
        ..Columns::default()
    };
    let profile = profile(path, which).context("cannot load --data")?;
    let mut refusals: Vec<(String, Option<String>)> = column_refusals(&profile, path);
    let mut mended = flags.clone();
    let mends = profile.mends();
    mended.drop.extend(mends.drop.iter().cloned());
    mended.one_hot.extend(mends.one_hot.iter().cloned());
    if mends.fill_missing && mended.fill_missing.is_none() {
        mended.fill_missing = Some(FillArg::Median);
    }
    mended.decimal.decimal_comma |= mends.decimal_comma;
    mended.decimal.parse_numbers |= mends.parse_numbers;
    if mends.no_date_order {
        mended.date_order = None;
    }
    // Load as `dnn train` would; a refusal that names a feature column to drop (one the
    // split brings out: no value in the training part) is mended and the load tried again.
    let names: Vec<&str> = profile.columns.iter().map(|c| c.name.as_str()).collect();
    let mut verdict = None;
    for _ in 0..=names.len() {
        let (loaded, lines) = capture_err(|| load_for_training::<f64>(path, &mended));
        match loaded {
            Ok(data) => {
                verdict = Some(Verdict::Loads(Box::new(data), lines));
                break;
            }
            Err(e) => {
                let Some(error) = e.downcast_ref::<DataError>() else {
                    // A flag that does not fit the data (`--image-size` for a table): as
                    // `dnn train` says it.
                    return Err(e);
                };
                let text = message(error, path);
                let column = droppable(&text, &names, &mended, &profile);
                // A refusal of the rows (labels missing) or of the numbers (decimal commas,
                // numbers written by hand, numbers missing once those read) names one flag
                // that mends it.
                let rows_flag = [
                    ("--drop-unlabeled", mended.unlabeled.drop_unlabeled),
                    ("--decimal-comma", mended.decimal.decimal_comma),
                    ("--parse-numbers", mended.decimal.parse_numbers),
                    ("--fill-missing", mended.fill_missing.is_some()),
                ]
                .into_iter()
                .find(|(flag, given)| !given && text.contains(flag))
                .map(|(flag, _)| flag);
                // Filling keeps a column that dropping would lose.
                let column = column.filter(|_| rows_flag.is_none());
                if !refusals.iter().any(|(m, _)| *m == text) {
                    let flag = match (column, rows_flag) {
                        (Some(c), _) => Some(format!("--drop {}", shell_word(c))),
                        (None, Some("--fill-missing")) => Some("--fill-missing median".into()),
                        (None, flag) => flag.map(str::to_owned),
                    };
                    refusals.push((text, flag));
                }
                match (column, rows_flag) {
                    (Some(c), _) => mended.drop.push(c.to_owned()),
                    (None, Some("--drop-unlabeled")) => mended.unlabeled.drop_unlabeled = true,
                    (None, Some("--decimal-comma")) => mended.decimal.decimal_comma = true,
                    (None, Some("--parse-numbers")) => mended.decimal.parse_numbers = true,
                    (None, Some(_)) => mended.fill_missing = Some(FillArg::Median),
                    (None, None) => {
                        verdict = Some(Verdict::Refused(e));
                        break;
                    }
                }
            }
        }
    }
    let verdict = verdict
        .unwrap_or_else(|| Verdict::Refused(anyhow::anyhow!("every column would be left out")));
    say!("{}", table_header(path, &profile));
    say!("");
    let dropped_later = &mended.drop[flags.drop.len() + mends.drop.len()..];
    for line in column_table(&profile, &verdict, dropped_later) {
        say!("{line}");
    }
    if let Verdict::Loads(data, _) = &verdict {
        say!("");
        let counts = crate::data::all_class_counts(data);
        let train_counts =
            crate::metrics::class_counts(&data.train_labels, data.spec.classes.len());
        for line in [
            target_line(data, &mended),
            crate::class_weight::uneven_line(&data.spec.classes, &counts, &train_counts),
            one_hot_line(data),
            dates_line(data),
            filled_line(data, mended.fill_missing),
        ]
        .into_iter()
        .flatten()
        {
            say!("{line}");
        }
    }
    if !refusals.is_empty() {
        say!("");
        say!("Refused as given (dnn train stops at the first), with the flag that mends each:");
        let width = refusals
            .iter()
            .map(|(_, f)| f.as_deref().unwrap_or(NO_FLAG).chars().count())
            .max()
            .unwrap_or(0);
        for (text, flag) in &refusals {
            let flag = flag.as_deref().unwrap_or(NO_FLAG);
            let pad = " ".repeat(width - flag.chars().count());
            say!("  {flag}{pad}  {text}");
        }
    }
    let added = reading_flags(&mended) != reading_flags(flags);
    if let Verdict::Loads(_, warnings) = &verdict {
        // Loaded with the flags describe added, which may leave rows out or fill cells.
        print_warnings(warnings, added.then(|| changed(flags, &mended)).as_deref());
    }
    say!("");
    say!(
        "{}",
        verdict_line(&verdict, added.then(|| changed(flags, &mended)))
    );
    Ok(())
}

/// An npz archive, an image folder, an image CSV or a course set: what `dnn train` loads.
fn describe_other(path: &Path, flags: &ReadFlags) -> anyhow::Result<()> {
    let (loaded, warnings) = capture_err(|| load_for_training::<f64>(path, flags));
    let data = loaded?;
    // The course's files, which `dnn train` prints no such line for, are described too.
    let line = split_line(&data).unwrap_or_else(|| data_line(&data, OWN_TEST_PART));
    say!("{line}");
    if let (
        Input::Picture {
            height,
            width,
            channels,
        },
        None,
    ) = (&data.spec.input, &data.source.image_csv)
    {
        say!(
            "Pictures: {width}x{height} pixels, {channels} channel{}, {} inputs each",
            plural(*channels),
            data.features()
        );
    }
    let counts = crate::data::all_class_counts(&data);
    let train_counts = crate::metrics::class_counts(&data.train_labels, data.spec.classes.len());
    let uneven = crate::class_weight::uneven_line(&data.spec.classes, &counts, &train_counts);
    for line in [pictures_line(&data), target_line(&data, flags), uneven]
        .into_iter()
        .flatten()
    {
        say!("{line}");
    }
    print_warnings(&warnings, None);
    say!("");
    say!(
        "{}",
        verdict_line(&Verdict::Loads(Box::new(data), Vec::new()), None)
    );
    Ok(())
}

/// The refusals of `profile`'s columns, each with its mend: one line each, but the columns
/// whose only fault is missing numbers, which one flag mends, after the first of them on one
/// line that names them all with their missing cells.
fn column_refusals(profile: &Profile, path: &Path) -> Vec<(String, Option<String>)> {
    let mut lines = Vec::new();
    let mut missing = Vec::new();
    for c in &profile.columns {
        let Some(r) = &c.refusal else {
            continue;
        };
        if r.mend == Mend::FillMissing && !missing.is_empty() {
            missing.push(format!("`{}` ({})", c.name, c.missing));
            continue;
        }
        if r.mend == Mend::FillMissing {
            missing.push(String::new());
        }
        lines.push((message(&r.error, path), Some(mend_flag(&r.mend, &c.name))));
    }
    if missing.len() > 1 {
        let n = missing.len() - 1;
        lines.push((
            format!(
                "likewise missing numbers in {n} more column{}: {}",
                plural(n),
                missing[1..].join(", ")
            ),
            Some(mend_flag(&Mend::FillMissing, "")),
        ));
    }
    lines
}

/// The warnings `dnn train` prints (captured lines, `warning: ` and all), under a heading.
/// `with`: the flags the table was loaded with, when describe added some.
fn print_warnings(warnings: &[String], with: Option<&str>) {
    if warnings.is_empty() {
        return;
    }
    say!("");
    match with {
        Some(flags) => say!("Warnings dnn train would print {flags}:"),
        None => say!("Warnings dnn train would print:"),
    }
    for w in warnings {
        say!("  {}", w.strip_prefix("warning: ").unwrap_or(w));
    }
}

/// `penguins.csv: a CSV table, cells separated by commas, 344 rows under a header of 17
/// columns`.
fn table_header(path: &Path, profile: &Profile) -> String {
    let separator = match profile.separator {
        b',' => "commas".to_owned(),
        b';' => "semicolons".to_owned(),
        b'\t' => "tabs".to_owned(),
        other => format!("`{}`", char::from(other)),
    };
    let excel = if profile.excel_separator_line {
        " (as its Excel `sep=` line says)"
    } else {
        ""
    };
    format!(
        "{}: a CSV table, cells separated by {separator}{excel}, {} row{} under a header of {} \
         column{}",
        path.display(),
        profile.rows,
        plural(profile.rows),
        profile.columns.len(),
        plural(profile.columns.len())
    )
}

/// The table of columns, aligned: number, name, how dnn reads it, missing cells, distinct
/// values, range or most common values, role (refused for `dropped_later`, the columns that
/// loading refused after the profile's mends).
fn column_table(profile: &Profile, verdict: &Verdict, dropped_later: &[String]) -> Vec<String> {
    let header = [
        "#", "column", "read as", "missing", "distinct", "values", "role",
    ]
    .map(str::to_owned);
    let mut rows: Vec<[String; 7]> = vec![header];
    let target = match verdict {
        Verdict::Loads(data, _) => Some(outputs(data)),
        Verdict::Refused(_) => None,
    };
    let regression = matches!(verdict, Verdict::Loads(data, _) if data.is_regression());
    // A text column's inputs are the values of the training part, as train one-hot encodes it
    // (a value met only in the test part is none).
    let one_hot = match verdict {
        Verdict::Loads(data, _) => match &data.spec.input {
            Input::Table { one_hot, .. } => one_hot.as_slice(),
            Input::Picture { .. } => &[],
        },
        Verdict::Refused(_) => &[],
    };
    for (i, c) in profile.columns.iter().enumerate() {
        let trained = one_hot.iter().find(|h| h.column == c.name);
        let (read_as, mut role) = reading(c, target.as_deref(), trained.map(|h| h.values.len()));
        if dropped_later.contains(&c.name) {
            role = "refused (--drop)".to_owned();
        }
        rows.push([
            (i + 1).to_string(),
            truncated(
                if c.name.is_empty() {
                    "(no name)"
                } else {
                    &c.name
                },
                NAME_WIDTH,
            ),
            read_as,
            c.missing.to_string(),
            if c.distinct_capped {
                format!(">{}", c.distinct)
            } else {
                c.distinct.to_string()
            },
            // A date span is not cut: at most 50 characters, its end is the point.
            match c.date_span {
                Some(_) => values(c, false),
                None => truncated(
                    &values(c, c.role == Role::Target && !regression),
                    VALUES_WIDTH,
                ),
            },
            role,
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(k, cell)| {
                    let pad = widths[k] - cell.chars().count();
                    // Counts right-aligned, text left-aligned; the last cell unpadded.
                    match k {
                        0 | 3 | 4 => format!("{}{cell}", " ".repeat(pad)),
                        6 => cell.clone(),
                        _ => format!("{cell}{}", " ".repeat(pad)),
                    }
                })
                .collect();
            cells.join("  ")
        })
        .collect()
}

/// How dnn reads column `c`, and its role; `target`: what the target makes, when it loads;
/// `text_inputs`: a text column's inputs as training makes them, when it loads.
fn reading(
    c: &ColumnProfile,
    target: Option<&str>,
    text_inputs: Option<usize>,
) -> (String, String) {
    let dates = c.dates;
    match &c.role {
        Role::Target => (
            target.map_or("target".to_owned(), |t| format!("target: {t}")),
            "target".to_owned(),
        ),
        Role::Dropped => ("dropped (--drop)".to_owned(), "left out".to_owned()),
        Role::Groups => ("groups (--group-by)".to_owned(), "split by".to_owned()),
        Role::RowNames => ("row names".to_owned(), "left out".to_owned()),
        // A column without a cell (a file of a header only) is read as numbers by default.
        Role::Input(Reading::Numbers) if c.numbers == 0 && c.texts == 0 && c.missing == 0 => {
            ("no cells".to_owned(), "input".to_owned())
        }
        Role::Input(Reading::Numbers) => ("number".to_owned(), "input".to_owned()),
        Role::Input(Reading::Text { values }) => {
            let values = text_inputs.unwrap_or(*values);
            (
                format!(
                    "{} → {values} input{}",
                    if dates { "dates as text" } else { "text" },
                    plural(values)
                ),
                "input".to_owned(),
            )
        }
        Role::Input(Reading::Dates { order, parts }) => (
            format!(
                "dates ({}) → {parts} input{}",
                order.describe(),
                plural(*parts)
            ),
            "input".to_owned(),
        ),
        Role::Refused => {
            let cells = if c.numbers == 0 && c.texts == 0 {
                "missing only".to_owned()
            } else if c.refusal.as_ref().map(|r| &r.mend) == Some(&Mend::DecimalComma) {
                "numbers with a decimal comma".to_owned()
            } else if matches!(
                c.refusal.as_ref().map(|r| &r.mend),
                Some(Mend::ParseNumbers | Mend::DecimalCommaParseNumbers)
            ) || 2 * c.written > c.texts
            {
                "numbers written by hand".to_owned()
            } else if c.numbers >= c.texts {
                match c.texts {
                    0 => "number".to_owned(),
                    _ => "number and text".to_owned(),
                }
            } else {
                match (dates, c.numbers) {
                    (true, _) => format!("dates, {} values", c.distinct),
                    (false, 0) => format!("text, {} values", c.distinct),
                    (false, _) => format!("text and number, {} values", c.distinct),
                }
            };
            let flag = match c.refusal.as_ref().map(|r| &r.mend) {
                Some(Mend::FillMissing) => "--fill-missing",
                Some(Mend::OneHot) => "--one-hot",
                Some(Mend::DecimalComma) => "--decimal-comma",
                Some(Mend::ParseNumbers) => "--parse-numbers",
                Some(Mend::DecimalCommaParseNumbers) => "--decimal-comma --parse-numbers",
                Some(Mend::NoDateOrder) => LEAVE_OUT_DATE_ORDER,
                _ => "--drop",
            };
            (cells, format!("refused ({flag})"))
        }
    }
}

/// A column's range (`32.1 – 59.6`), its dates' (`2012-01-01 – 2015-12-31, 1461 days`), or
/// its most common values (`MALE 168, FEMALE 165`), as for `classes`.
fn values(c: &ColumnProfile, classes: bool) -> String {
    if let Some(span) = &c.date_span {
        return date_span(span);
    }
    let range = c.range.map(|(lo, hi)| {
        let (lo, hi) = (dnn_data::number::exact(lo), dnn_data::number::exact(hi));
        if lo == hi {
            lo
        } else {
            format!("{lo} – {hi}")
        }
    });
    let common: Vec<String> = c
        .common
        .iter()
        .map(|(v, n)| format!("{} {n}", truncated(v, VALUE_WIDTH)))
        .collect();
    match (range, c.numbers >= c.texts && !classes) {
        (Some(range), true) => range,
        (range, _) if common.is_empty() => range.unwrap_or_default(),
        (_, _) => common.join(", "),
    }
}

/// `2012-01-01 – 2015-12-31, 1461 days` (`2012-01-31 10:30 – …` with times, `… 24 months`
/// for a column of months; one date alone when the earliest is the latest), each as
/// [`dnn_data::dates::shown`] writes it.
fn date_span(span: &DateSpan) -> String {
    use dnn_data::dates::shown;
    let (first, last) = (shown(span.earliest), shown(span.latest));
    let days = count(span.days, if span.months { "month" } else { "day" });
    match first == last {
        true => format!("{first}, {days}"),
        false => format!("{first} – {last}, {days}"),
    }
}

/// `text` on one line (a line break shown as `⏎`), at most `width` characters: cut with `…`
/// when longer.
fn truncated(text: &str, width: usize) -> String {
    let one_line = text.replace(['\n', '\r'], "⏎");
    if one_line.chars().count() <= width {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// `3 classes`, or `a number to predict`.
fn outputs(data: &Dataset<f64>) -> String {
    match data.is_regression() {
        true => "a number to predict".to_owned(),
        false => format!("{} classes", data.spec.classes.len()),
    }
}

/// `error`'s message without the file's name, which the header line gives.
fn message(error: &DataError, path: &Path) -> String {
    let text = error.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_owned()
}

/// The flag that mends a column: `--drop 'Individual ID'`, `--one-hot code`,
/// `--fill-missing median`.
fn mend_flag(mend: &Mend, column: &str) -> String {
    match mend {
        Mend::FillMissing => "--fill-missing median".to_owned(),
        Mend::OneHot => format!("--one-hot {}", shell_word(column)),
        Mend::Drop => format!("--drop {}", shell_word(column)),
        Mend::DecimalComma => "--decimal-comma".to_owned(),
        Mend::ParseNumbers => "--parse-numbers".to_owned(),
        Mend::DecimalCommaParseNumbers => "--decimal-comma --parse-numbers".to_owned(),
        Mend::NoDateOrder => LEAVE_OUT_DATE_ORDER.to_owned(),
    }
}

/// The feature column that a refusal's message says to leave out (`--drop NAME`), if it is
/// one of `names`, not the target and not already left out.
fn droppable<'a>(
    text: &str,
    names: &[&'a str],
    flags: &ReadFlags,
    profile: &Profile,
) -> Option<&'a str> {
    names.iter().enumerate().find_map(|(i, &name)| {
        let left_out = flags.drop.iter().any(|d| d == name)
            || matches!(profile.columns[i].role, Role::Target | Role::RowNames);
        let advised = text.contains(&format!("--drop {}", shell_word(name)));
        (advised && !left_out && !name.is_empty()).then_some(name)
    })
}

/// The last line: the data loads as given, or with `flags` (`added`: describe added to
/// them), or not.
fn verdict_line(verdict: &Verdict, changed: Option<String>) -> String {
    match verdict {
        Verdict::Loads(data, _) => {
            let m = data.train_len() + data.test_len();
            let n = data.features();
            let shape = format!(
                "{m} example{}, {n} input{}, {}",
                plural(m),
                plural(n),
                outputs(data)
            );
            match changed {
                None => format!("dnn train would read this as given: {shape}"),
                Some(changed) => {
                    format!("dnn train refuses this table as given; {changed} it loads: {shape}")
                }
            }
        }
        Verdict::Refused(e) => {
            let tried = match changed {
                Some(changed) => format!(", even {changed}"),
                None => String::new(),
            };
            let why = e
                .downcast_ref::<DataError>()
                .map_or_else(|| e.to_string(), |d| message(d, &data_path(d)));
            format!("dnn train refuses this table as given{tried}: {why}")
        }
    }
}

/// The mend of a column whose dates contradict `--date-order`, as the table and the refusals
/// name it.
const LEAVE_OUT_DATE_ORDER: &str = "leave out --date-order";

/// How the verdict says that mend.
const WITHOUT_DATE_ORDER: &str = "without --date-order";

/// How the flags describe tried differ from those `given`: `` with `--drop id` ``, `without
/// --date-order`, or both.
fn changed(given: &ReadFlags, mended: &ReadFlags) -> String {
    let with = reading_flags(mended);
    let without = given.date_order.is_some() && mended.date_order.is_none();
    match (with.is_empty(), without) {
        (_, false) => format!("with `{with}`"),
        (true, true) => WITHOUT_DATE_ORDER.to_owned(),
        (false, true) => format!("with `{with}` and {WITHOUT_DATE_ORDER}"),
    }
}

/// The path a [`DataError`] names, for [`message`] (its display starts with it).
fn data_path(e: &DataError) -> PathBuf {
    match e {
        DataError::BadCell { path, .. }
        | DataError::BadSource { path, .. }
        | DataError::RaggedRow { path, .. }
        | DataError::UnknownColumn { path, .. }
        | DataError::SingleClass { path, .. }
        | DataError::ClassMismatch { path, .. }
        | DataError::BadSplit { path, .. } => path.clone(),
        _ => PathBuf::new(),
    }
}

/// The table-reading flags in `flags`, as typed: `--target species --drop 'Individual ID'
/// --fill-missing median`.
fn reading_flags(flags: &ReadFlags) -> String {
    let list = |names: &[String]| {
        names
            .iter()
            .map(|n| shell_word(n).into_owned())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut words = Vec::new();
    if let Some(t) = &flags.target {
        words.push(format!("--target {}", shell_word(t)));
    }
    if let Some(t) = flags.task {
        words.push(format!(
            "--task {}",
            match t {
                crate::data::TaskArg::Classify => "classify",
                crate::data::TaskArg::Regress => "regress",
            }
        ));
    }
    if let Some(g) = &flags.group_by {
        words.push(format!("--group-by {}", shell_word(g)));
    }
    if !flags.drop.is_empty() {
        words.push(format!("--drop {}", list(&flags.drop)));
    }
    if !flags.one_hot.is_empty() {
        words.push(format!("--one-hot {}", list(&flags.one_hot)));
    }
    if !flags.date_parts.is_empty() {
        let parts: Vec<&str> = flags
            .date_parts
            .iter()
            .map(|&p| dnn_data::dates::DatePart::from(p).name())
            .collect();
        words.push(format!("--date-parts {}", parts.join(",")));
    }
    if let Some(o) = flags.date_order {
        words.push(format!(
            "--date-order {}",
            match o {
                crate::data::DateOrderArg::DayFirst => "day-first",
                crate::data::DateOrderArg::MonthFirst => "month-first",
            }
        ));
    }
    if let Some(f) = flags.fill_missing {
        words.push(format!(
            "--fill-missing {}",
            match f {
                FillArg::Mean => "mean",
                FillArg::Median => "median",
            }
        ));
    }
    for (flag, given) in [
        ("--decimal-comma", flags.decimal.decimal_comma),
        ("--parse-numbers", flags.decimal.parse_numbers),
        ("--drop-unlabeled", flags.unlabeled.drop_unlabeled),
    ] {
        if given {
            words.push(flag.to_owned());
        }
    }
    words.join(" ")
}
