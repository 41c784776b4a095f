//! Dates in a table's cells, read as numbers a network can use: a column whose every value
//! is a date becomes the inputs year, month, day of the month, day of the week and day of
//! the year (and the hour of the day when some cell gives a time), as AutoGluon, H2O and
//! fastai's `add_datepart` expand date features.
//!
//! A cell is read as one instant, the days since 1970-01-01 with the time of day as their
//! fraction ([`parse`]); each input is a part of it ([`DatePart::of`]). A missing date is
//! therefore one missing number, which `--fill-missing` fills with the training part's mean
//! or median instant, as it fills a number column.
//!
//! The forms read are those that spreadsheets and pandas write:
//!
//! - year first: `2012-01-31`, `2012/1/31`, `2012.01.31`, `2012-01` (a month);
//! - year last, in the column's order ([`DateOrder`]): `31/01/2012`, `01/31/2012`, `31.1.2012`,
//!   `1-31-12` (a two-digit year is 1969 to 2068, as C's and Python's `%y` read it);
//! - a month and its year, month first with a slash: `01/2012`, `1/2012` (a month, as pandas
//!   reads it; no order to tell);
//! - a month's name: `Jan 31, 2012`, `31 January 2012`, `2012-Jan-31`, `January 2012`, and
//!   Excel's `d-mmm-yy` (`31-Jan-12`, `5-feb-12`: the day, then the name, then a two-digit
//!   year read as `%y` reads it). `Jan-12` is no date: January 2012 or January 12th;
//! - any of these but a month alone with a time after `T` or a space: `2012-01-31 10:30`,
//!   `2012-01-31T10:30:00.5Z`, `1/31/2012 10:30 PM`, `2012-01-31 10:30:00 UTC`, and e-mail's
//!   and HTTP's `Tue, 31 Jan 2012 10:30:00 +0000` or `... GMT` (RFC 2822). The time is read as
//!   written: a zone (`Z`, `UTC`, `GMT`, `+02:00`) is not applied.
//!
//! Which of day and month comes first is told by the column as a whole ([`detect`]): a
//! first number above 12 anywhere makes it day/month/year, a second one month/day/year. A
//! column where no cell tells (no day above 12) is read as `--date-order` says, or else month
//! first when written with `/` (as in the United States, and as pandas reads it) and day first
//! otherwise (`31.01.2012`, `31-01-2012`), and a warning says so. A column whose values are
//! dates but for one or a few ([`misfits`]) is refused naming that cell, not read as text.
//!
//! ```
//! use dnn_data::dates::{detect, DateOrder, DatePart};
//! let cells: Vec<String> = ["2012/01/31", "2012/02/29", "2013/12/01"].map(String::from).into();
//! let (dates, ambiguous) = detect("date", &cells, None).unwrap();
//! assert_eq!((dates.order, ambiguous), (DateOrder::Ymd, false));
//! assert_eq!(dates.parts, DatePart::DAY);
//! // 2012-02-29 was a Wednesday (2), the 60th day of its year.
//! let t = dnn_data::dates::parse("2012/02/29", DateOrder::Ymd).unwrap();
//! let parts: Vec<f64> = dates.parts.iter().map(|p| p.of(t)).collect();
//! assert_eq!(parts, [2012.0, 2.0, 29.0, 2.0, 60.0]);
//! ```

use serde::{Deserialize, Serialize};

/// The order of a date's day, month and year, when the year is not written first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Year, month, day: every cell writes the year first (`2012-01-31`), names its month, or
    /// gives only a month and its year (`01/2012`): no cell needs an order.
    Ymd,
    /// Day, month, year (`31/01/2012`, `31.01.2012`).
    Dmy,
    /// Month, day, year (`01/31/2012`).
    Mdy,
}

impl DateOrder {
    /// The name in model files: `ymd`, `dmy` or `mdy`.
    pub fn name(self) -> &'static str {
        match self {
            DateOrder::Ymd => "ymd",
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        }
    }

    /// The order named `name` ([`DateOrder::name`]).
    pub fn from_name(name: &str) -> Option<DateOrder> {
        [DateOrder::Ymd, DateOrder::Dmy, DateOrder::Mdy]
            .into_iter()
            .find(|o| o.name() == name)
    }

    /// `year-month-day`, `day/month/year` or `month/day/year`, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::Ymd => "year-month-day",
            DateOrder::Dmy => "day/month/year",
            DateOrder::Mdy => "month/day/year",
        }
    }
}

/// One input made from a date column: a part of each cell's instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    /// The year (2012).
    Year,
    /// The month, 1 to 12.
    Month,
    /// The day of the month, 1 to 31.
    Day,
    /// The day of the week, 0 (Monday) to 6 (Sunday), as Python's `date.weekday()` and
    /// pandas' `dt.dayofweek` count.
    Weekday,
    /// The day of the year, 1 to 366.
    DayOfYear,
    /// The hour of the day with its minutes and seconds as a fraction: 22.5 at 10:30 PM.
    Hour,
}

impl DatePart {
    /// The parts of a column of whole dates.
    pub const DAY: [DatePart; 5] = [
        DatePart::Year,
        DatePart::Month,
        DatePart::Day,
        DatePart::Weekday,
        DatePart::DayOfYear,
    ];

    /// The parts of a column of months (`2012-01`, `January 2012`).
    pub const MONTH: [DatePart; 2] = [DatePart::Year, DatePart::Month];

    /// Whether the part needs the cell's day: a month alone (`2012-03`) gives none, and is
    /// read as its 1st.
    pub fn needs_day(self) -> bool {
        !matches!(self, DatePart::Year | DatePart::Month)
    }

    /// The name in input names (`date.year`) and model files.
    pub fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::Weekday => "weekday",
            DatePart::DayOfYear => "day_of_year",
            DatePart::Hour => "hour",
        }
    }

    /// The part named `name` ([`DatePart::name`]).
    pub fn from_name(name: &str) -> Option<DatePart> {
        [
            DatePart::Year,
            DatePart::Month,
            DatePart::Day,
            DatePart::Weekday,
            DatePart::DayOfYear,
            DatePart::Hour,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// This part of the instant `t`: days since 1970-01-01, the time of day as their
    /// fraction ([`parse`]).
    ///
    /// ```
    /// use dnn_data::dates::{parse, DateOrder, DatePart};
    /// let t = parse("1969-12-31 18:00", DateOrder::Ymd).unwrap();
    /// assert_eq!(t, -0.25);
    /// assert_eq!(DatePart::Year.of(t), 1969.0);
    /// assert_eq!(DatePart::Weekday.of(t), 2.0); // a Wednesday
    /// assert_eq!(DatePart::DayOfYear.of(t), 365.0);
    /// assert_eq!(DatePart::Hour.of(t), 18.0);
    /// // Hours of a recent date are the time as written, to the last digit.
    /// let t = parse("2012-01-02 13:00", DateOrder::Ymd).unwrap();
    /// assert_eq!(DatePart::Hour.of(t), 13.0);
    /// let t = parse("2012-01-02 10:20", DateOrder::Ymd).unwrap();
    /// assert_eq!(DatePart::Hour.of(t), 10.0 + 20.0 / 60.0);
    /// ```
    pub fn of(self, t: f64) -> f64 {
        if !INSTANTS.contains(&t) {
            return f64::NAN;
        }
        let days = t.floor();
        let day = days as i64;
        let (year, month, mday) = civil_from_days(day);
        match self {
            DatePart::Year => year as f64,
            DatePart::Month => f64::from(month),
            DatePart::Day => f64::from(mday),
            DatePart::Weekday => (day + 3).rem_euclid(7) as f64,
            DatePart::DayOfYear => (day - days_from_civil(year, 1, 1) + 1) as f64,
            DatePart::Hour => {
                // The time of day in seconds, rid of the instant's rounding (about 1e-6 s
                // for today's dates) at the microseconds dates are written with: 13:00 is
                // 13, not 12.99999999998.
                let seconds = (t - days) * 86_400.0;
                let written = (seconds * 1e6).round() / 1e6;
                (if written < 86_400.0 { written } else { seconds }) / 3600.0
            }
        }
    }
}

/// The instants of the years 0 to 9999, which [`parse`] reads: a model's fill value for a
/// date lies among them, and [`DatePart::of`] is NaN outside them.
pub const INSTANTS: std::ops::Range<f64> = -719_528.0..2_932_897.0;

/// A table's column of dates, as a model records it: its name, its order, and the inputs
/// it makes, one per part, named `column.part` (`date.year`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateColumn {
    /// The column's name, one of [`crate::Input::Table`]'s `columns`.
    pub column: String,
    /// How its cells write a date whose year is not first.
    pub order: DateOrder,
    /// Its inputs, in order.
    pub parts: Vec<DatePart>,
}

impl DateColumn {
    /// Whether some of its inputs need a cell's day ([`DatePart::needs_day`]).
    pub fn needs_day(&self) -> bool {
        self.parts.iter().any(|p| p.needs_day())
    }

    /// The names of its inputs: `date.year`, `date.month`, ...
    pub fn input_names(&self) -> Vec<String> {
        self.parts
            .iter()
            .map(|p| format!("{}.{}", self.column, p.name()))
            .collect()
    }
}

/// What a cell gives beyond the day: nothing finer than a month, a day, or a time too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Precision {
    Month,
    Day,
    Time,
}

/// The instant written in `text`, as days since 1970-01-01 with the time of day as their
/// fraction, when `text` is a date in one of the forms of the [module docs](self), read in
/// `order` where the year is not first; `None` otherwise, or for a day that does not exist
/// (`2013-02-29`). A month alone is its first day.
///
/// ```
/// use dnn_data::dates::{parse, DateOrder};
/// assert_eq!(parse("1970-01-02", DateOrder::Ymd), Some(1.0));
/// assert_eq!(parse("02/01/1970", DateOrder::Dmy), Some(1.0));
/// assert_eq!(parse("01/02/1970", DateOrder::Mdy), Some(1.0));
/// assert_eq!(parse("Jan 2, 1970 ", DateOrder::Dmy), Some(1.0));
/// assert_eq!(parse("1970-01-02T06:00:00Z", DateOrder::Ymd), Some(1.25));
/// assert_eq!(parse("1/2/70 6:00 PM", DateOrder::Mdy), Some(1.75));
/// assert_eq!(parse("2013-02-29", DateOrder::Ymd), None);
/// assert_eq!(parse("13/01/2012", DateOrder::Mdy), None);
/// assert_eq!(parse("Adelie", DateOrder::Ymd), None);
/// ```
pub fn parse(text: &str, order: DateOrder) -> Option<f64> {
    read(text, order).map(|(t, _)| t)
}

/// [`parse`], and whether the cell gives a day, not only a month (`2012-03`, `March 2012`,
/// which are read as the 1st of the month).
///
/// ```
/// use dnn_data::dates::{parse_with_day, DateOrder};
/// assert_eq!(parse_with_day("1970-01-02", DateOrder::Ymd), Some((1.0, true)));
/// assert_eq!(parse_with_day("1970-01", DateOrder::Ymd), Some((0.0, false)));
/// assert_eq!(parse_with_day("January 1970", DateOrder::Dmy), Some((0.0, false)));
/// assert_eq!(parse_with_day("Adelie", DateOrder::Ymd), None);
/// ```
pub fn parse_with_day(text: &str, order: DateOrder) -> Option<(f64, bool)> {
    read(text, order).map(|(t, p)| (t, p >= Precision::Day))
}

/// [`parse`], with what the cell gives.
fn read(text: &str, order: DateOrder) -> Option<(f64, Precision)> {
    let text = text.trim();
    // A numeric date, then a time after `T` or a space.
    let split = text.find(['T', ' ']).filter(|&i| {
        text[..i]
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-/.".contains(&b))
    });
    if let Some(i) = split {
        // `5 January 2012` starts with a number too.
        if let Some((day, Precision::Day)) = numeric_date(&text[..i], order) {
            return Some((at(day, time_of_day(&text[i + 1..])?), Precision::Time));
        }
    }
    // A month's name, then a time from the space before its first colon on:
    // `Tue, 31 Jan 2012 10:30:00 GMT`.
    let named_split = text.find(':').and_then(|colon| text[..colon].rfind(' '));
    if let Some(i) = named_split {
        if let Some((day, Precision::Day)) = named_month_date(&text[..i]) {
            return Some((at(day, time_of_day(&text[i + 1..])?), Precision::Time));
        }
    }
    numeric_date(text, order)
        .or_else(|| named_month_date(text))
        .map(|(day, precision)| (day as f64, precision))
}

/// The instant `seconds` after the start of `day`. 23:59:59.999999999 stays in its day, which
/// the sum would round up to the next.
fn at(day: i64, seconds: f64) -> f64 {
    (day as f64 + seconds / 86_400.0).min((day as f64 + 1.0).next_down())
}

/// The year a two-digit year `yy` stands for: 1969 to 2068, as C's and Python's `%y` read it.
fn short_year(yy: u32) -> i64 {
    i64::from(yy) + if yy < 69 { 2000 } else { 1900 }
}

/// `2012-01-31`, `2012/1/31`, `2012-01`, `31/01/2012`, `1-31-12`, `31.1.2012`, `01/2012`: the
/// day, and whether the cell gave one or only a month.
fn numeric_date(text: &str, order: DateOrder) -> Option<(i64, Precision)> {
    let sep = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let fields: Vec<&str> = text.split(sep).collect();
    if fields
        .iter()
        .any(|f| f.is_empty() || f.len() > 4 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |f: &str| f.parse::<u32>().ok();
    let short = |f: &str| f.len() <= 2;
    match fields.as_slice() {
        [y, m] if y.len() == 4 && short(m) && sep != '.' => {
            Some((civil(i64::from(num(y)?), num(m)?, 1)?, Precision::Month))
        }
        // Month first, in any order: it has no day to tell from its month.
        [m, y] if short(m) && y.len() == 4 && sep == '/' => {
            Some((civil(i64::from(num(y)?), num(m)?, 1)?, Precision::Month))
        }
        [y, m, d] if y.len() == 4 && short(m) && short(d) => {
            Some((civil(i64::from(num(y)?), num(m)?, num(d)?)?, Precision::Day))
        }
        [a, b, y] if short(a) && short(b) && (y.len() == 4 || (y.len() == 2 && sep != '.')) => {
            let (m, d) = match order {
                DateOrder::Dmy => (b, a),
                DateOrder::Mdy => (a, b),
                DateOrder::Ymd => return None,
            };
            let year = match y.len() {
                2 => short_year(num(y)?),
                _ => i64::from(num(y)?),
            };
            Some((civil(year, num(m)?, num(d)?)?, Precision::Day))
        }
        _ => None,
    }
}

/// `Jan 31, 2012`, `31 January 2012`, `2012-Jan-31`, `January 2012`, `Tuesday, January 31,
/// 2012`: a month's name (its first three letters or more, in any case), a four-digit year,
/// and at most a day, after at most a day of the week's name (which must be the date's); or
/// Excel's `31-Jan-12`, the one form whose year may have two digits.
fn named_month_date(text: &str) -> Option<(i64, Precision)> {
    const WEEKDAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let month_named = |token: &str| {
        let token = token.to_lowercase();
        let named = token.len() >= 3 && token.chars().all(char::is_alphabetic);
        let k = MONTHS.iter().position(|m| m.starts_with(token.as_str()));
        k.filter(|_| named).map(|k| k as u32 + 1)
    };
    let digits = |t: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    // Excel's `d-mmm-yy`; a name before or between two numbers (`Jan-12`, `12-Jan`,
    // `Jan-12-12`) is no date.
    if let [d, m, y] = text.split('-').collect::<Vec<_>>()[..] {
        if digits(d, 1..=2) && digits(y, 2..=2) {
            let year = short_year(y.parse().ok()?);
            return Some((
                civil(year, month_named(m)?, d.parse().ok()?)?,
                Precision::Day,
            ));
        }
    }
    let (mut month, mut year, mut day, mut weekday) = (None, None, None, None);
    for (k, token) in text
        .split([' ', ',', '-', '/'])
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        let token = token.trim_end_matches('.').to_lowercase();
        let named = token.len() >= 3 && token.chars().all(char::is_alphabetic);
        let slot = if named && k == 0 && WEEKDAYS.iter().any(|w| w.starts_with(token.as_str())) {
            let w = WEEKDAYS
                .iter()
                .position(|w| w.starts_with(token.as_str()))?;
            (&mut weekday, w as u32)
        } else if named {
            (&mut month, month_named(&token)?)
        } else if digits(&token, 4..=4) {
            (&mut year, token.parse().ok()?)
        } else if digits(&token, 1..=2) {
            (&mut day, token.parse().ok()?)
        } else {
            return None;
        };
        if slot.0.replace(slot.1).is_some() {
            return None;
        }
    }
    let (month, year) = (month?, i64::from(year?));
    let (t, precision) = match day {
        Some(d) => (civil(year, month, d)?, Precision::Day),
        None => (civil(year, month, 1)?, Precision::Month),
    };
    match weekday {
        None => Some((t, precision)),
        Some(w) if precision == Precision::Day && (t + 3).rem_euclid(7) == i64::from(w) => {
            Some((t, precision))
        }
        Some(_) => None,
    }
}

/// `10:30`, `10:30:15`, `10:30:15.25`, each with `Z`, `UTC`, `GMT`, a zone (`+02:00`,
/// `-0500`) or `AM`/`PM` after it: the seconds since midnight, the zone left unapplied.
fn time_of_day(text: &str) -> Option<f64> {
    let mut t = text.trim();
    let lower = t.to_ascii_lowercase();
    let pm = if lower.ends_with("am") || lower.ends_with("pm") {
        let pm = lower.ends_with("pm");
        t = t[..t.len() - 2].trim_end();
        Some(pm)
    } else {
        None
    };
    let upper = t.to_ascii_uppercase();
    if let Some(zone) = ["Z", "UTC", "GMT"].iter().find(|z| upper.ends_with(*z)) {
        t = t[..t.len() - zone.len()].trim_end();
    } else if let Some(i) = t.rfind(['+', '-']) {
        let zone = &t[i + 1..];
        let digits = zone.bytes().filter(u8::is_ascii_digit).count();
        let zone_ok = zone.bytes().all(|b| b.is_ascii_digit() || b == b':')
            && matches!(digits, 2 | 4)
            && pm.is_none();
        if !zone_ok {
            return None;
        }
        t = t[..i].trim_end();
    }
    let fields: Vec<&str> = t.split(':').collect();
    let whole = |f: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()))
            .then(|| f.parse::<u32>().ok())
            .flatten()
    };
    let (h, m, s) = match fields.as_slice() {
        [h, m] => (whole(h, 1..=2)?, whole(m, 2..=2)?, 0.0),
        [h, m, s] => {
            let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
            if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let s = whole(int, 2..=2)?;
            let seconds = format!("{s}.{frac}").parse::<f64>().ok()?;
            (whole(h, 1..=2)?, whole(m, 2..=2)?, seconds)
        }
        _ => return None,
    };
    let h = match pm {
        None if h < 24 => h,
        Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
        _ => return None,
    };
    (m < 60 && s < 60.0).then(|| f64::from(h * 3600 + m * 60) + s)
}

/// The day `year-month-day`, as days since 1970-01-01, if it exists.
fn civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let length = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    (1..=length)
        .contains(&day)
        .then(|| days_from_civil(year, month, day))
}

/// Days since 1970-01-01 of a day of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year, month and day of `days` since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The instant `t` ([`parse`]) written as a date, year first: `2012-01-31`, with the time
/// to the minute when it is not midnight (`2012-01-31 10:30`), as a fill value is shown.
///
/// ```
/// use dnn_data::dates::{parse, shown, DateOrder};
/// assert_eq!(shown(parse("31/01/2012", DateOrder::Dmy).unwrap()), "2012-01-31");
/// assert_eq!(shown(parse("2012-01-31 10:30", DateOrder::Ymd).unwrap()), "2012-01-31 10:30");
/// assert_eq!(shown(-0.5), "1969-12-31 12:00");
/// ```
pub fn shown(t: f64) -> String {
    if !INSTANTS.contains(&t) {
        return format!("{t} (no date)");
    }
    let day = t.floor();
    let (year, month, mday) = civil_from_days(day as i64);
    let minutes = ((t - day) * 1440.0).round() as u32;
    match minutes {
        0 => format!("{year:04}-{month:02}-{mday:02}"),
        1440 => shown(day + 1.0),
        m => format!("{year:04}-{month:02}-{mday:02} {:02}:{:02}", m / 60, m % 60),
    }
}

/// Whether `text` reads as a date in some order ([`parse`]).
///
/// ```
/// use dnn_data::dates::is_date;
/// assert!(is_date("2012-01-01") && is_date("2012/01/01") && is_date("01/02/2012"));
/// assert!(is_date("2012-01-01 10:30:00") && is_date("11/11/07") && is_date("Jan 5, 2012"));
/// assert!(!is_date("Adelie") && !is_date("1.2.3") && !is_date("13/13/2012") && !is_date("2012"));
/// ```
pub fn is_date(text: &str) -> bool {
    parse(text, DateOrder::Dmy).is_some() || parse(text, DateOrder::Mdy).is_some()
}

/// How a column of text `values` (its distinct cells) reads as dates: its order and parts,
/// and whether no cell told day from month (then the order is `given`, else the default of
/// the [module docs](self), and is a guess only without `given`); `None` unless every value
/// is a date in one same order (`given`'s, when cells need one).
///
/// ```
/// use dnn_data::dates::{detect, DateOrder};
/// let cells: Vec<String> = ["01/02/2012", "02/03/2012"].map(String::from).into();
/// let order = |given| detect("d", &cells, given).map(|(d, guessed)| (d.order, guessed));
/// assert_eq!(order(None), Some((DateOrder::Mdy, true)));
/// assert_eq!(order(Some(DateOrder::Dmy)), Some((DateOrder::Dmy, false)));
/// let told: Vec<String> = ["13/02/2012"].map(String::from).into();
/// assert!(detect("d", &told, Some(DateOrder::Mdy)).is_none());
/// ```
pub fn detect(
    column: &str,
    values: &[String],
    given: Option<DateOrder>,
) -> Option<(DateColumn, bool)> {
    if values.is_empty() {
        return None;
    }
    let orders = [DateOrder::Ymd, DateOrder::Dmy, DateOrder::Mdy];
    let mut fits = [true; 3];
    let mut precision = Precision::Month;
    let mut ticks = false;
    let mut slash = None;
    for v in values {
        let mut read_once = false;
        for (k, &order) in orders.iter().enumerate() {
            match read(v, order) {
                Some((t, p)) if fits[k] => {
                    read_once = true;
                    precision = precision.max(p);
                    ticks |= p == Precision::Time && t.fract() != 0.0;
                }
                Some(_) => read_once = true,
                None => fits[k] = false,
            }
        }
        if !read_once {
            return None;
        }
        if slash.is_none() && read(v, DateOrder::Ymd).is_none() {
            slash = Some(v.contains('/'));
        }
    }
    let given = given.filter(|&o| o != DateOrder::Ymd);
    let (order, guessed) = match (fits, given) {
        ([true, ..], _) => (DateOrder::Ymd, false),
        ([false, true, true], Some(order)) => (order, false),
        ([false, true, true], None) if slash == Some(true) => (DateOrder::Mdy, true),
        ([false, true, true], None) => (DateOrder::Dmy, true),
        ([false, true, false], None | Some(DateOrder::Dmy)) => (DateOrder::Dmy, false),
        ([false, false, true], None | Some(DateOrder::Mdy)) => (DateOrder::Mdy, false),
        _ => return None,
    };
    let mut parts = match precision {
        Precision::Month => DatePart::MONTH.to_vec(),
        Precision::Day | Precision::Time => DatePart::DAY.to_vec(),
    };
    if ticks {
        parts.push(DatePart::Hour);
    }
    Some((
        DateColumn {
            column: column.to_owned(),
            order,
            parts,
        },
        guessed,
    ))
}

/// With `--date-order` `given` (day- or month-first), a column whose cells read in the other
/// order, all or nine in ten of them (a stray cell of the given order among them is
/// [`misfits`]' to name once the flag is left out), and more than a tenth not in the given
/// one: the column tells its own order, against the flag. Gives that order and the first cell
/// (index into `values`) the flag cannot read.
///
/// ```
/// use dnn_data::dates::{against_given, DateOrder};
/// let cells: Vec<String> = ["01/02/2012", "20/12/2011"].map(String::from).to_vec();
/// assert_eq!(against_given(&cells, Some(DateOrder::Mdy)), Some((DateOrder::Dmy, 1)));
/// assert_eq!(against_given(&cells, Some(DateOrder::Dmy)), None);
/// assert_eq!(against_given(&cells, None), None);
/// // Day-first dates and one month-first stray: still the column's own order, not text.
/// let mut cells: Vec<String> = (13..=28).map(|d| format!("{d}/05/2012")).collect();
/// cells.push("01/27/2012".into());
/// assert_eq!(against_given(&cells, Some(DateOrder::Mdy)), Some((DateOrder::Dmy, 0)));
/// ```
pub fn against_given(values: &[String], given: Option<DateOrder>) -> Option<(DateOrder, usize)> {
    let given = given?;
    let own = match given {
        DateOrder::Dmy => DateOrder::Mdy,
        DateOrder::Mdy => DateOrder::Dmy,
        DateOrder::Ymd => return None,
    };
    let first = values.iter().position(|v| read(v, given).is_none())?;
    // More than a tenth against the flag: the column's own order, not a stray cell
    // ([`misfits`] names those).
    let against = values.iter().filter(|v| read(v, given).is_none()).count();
    let reads_own = values.iter().filter(|v| read(v, own).is_some()).count();
    (against * 10 > values.len() && reads_own * 10 >= values.len() * 9).then_some((own, first))
}

/// The values of a column of text that are no dates when nearly every other one is (nine in
/// ten of its distinct values, and two or more): their indices into `values`, and the order
/// the others are read in (`given`, or the one most of them read in), and whether that order
/// matters (some of them are not written year first); `None` when the column is not nearly
/// all dates, or all dates.
///
/// ```
/// use dnn_data::dates::{misfits, DateOrder};
/// let mut cells: Vec<String> = (1..=28).map(|d| format!("2012-02-{d:02}")).collect();
/// cells.push("2012-02-30".into());
/// assert_eq!(misfits(&cells, None), Some((DateOrder::Dmy, vec![28], false)));
/// cells.push("Adelie".into());
/// assert_eq!(misfits(&cells, None), Some((DateOrder::Dmy, vec![28, 29], false)));
/// assert_eq!(misfits(&cells[..28], None), None);
/// ```
pub fn misfits(
    values: &[String],
    given: Option<DateOrder>,
) -> Option<(DateOrder, Vec<usize>, bool)> {
    let count = |o: DateOrder| values.iter().filter(|v| read(v, o).is_some()).count();
    let order = match given.filter(|&o| o != DateOrder::Ymd) {
        Some(order) => order,
        None if count(DateOrder::Mdy) > count(DateOrder::Dmy) => DateOrder::Mdy,
        None => DateOrder::Dmy,
    };
    let bad: Vec<usize> = (0..values.len())
        .filter(|&k| read(&values[k], order).is_none())
        .collect();
    let good = values.len() - bad.len();
    let ordered = values
        .iter()
        .any(|v| read(v, order).is_some() && read(v, DateOrder::Ymd).is_none());
    (!bad.is_empty() && good >= 2 && good * 10 >= values.len() * 9).then_some((order, bad, ordered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_over_four_centuries() {
        for day in -200_000..200_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(civil(y, m, d), Some(day), "{y}-{m}-{d}");
        }
    }

    #[test]
    fn the_order_is_told_by_the_column() {
        let cells = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let order = |c: &[&str]| detect("d", &cells(c), None).map(|(d, a)| (d.order, a));
        assert_eq!(
            order(&["01/02/2012", "13/02/2012"]),
            Some((DateOrder::Dmy, false))
        );
        assert_eq!(
            order(&["01/02/2012", "02/13/2012"]),
            Some((DateOrder::Mdy, false))
        );
        assert_eq!(
            order(&["01/02/2012", "02/03/2012"]),
            Some((DateOrder::Mdy, true))
        );
        assert_eq!(
            order(&["01.02.2012", "02.03.2012"]),
            Some((DateOrder::Dmy, true))
        );
        assert_eq!(order(&["13/02/2012", "02/13/2012"]), None);
        assert_eq!(
            order(&["2012-02-13", "Jan 5, 2012"]),
            Some((DateOrder::Ymd, false))
        );
        assert_eq!(
            order(&["2012-02-13", "13/02/2012"]),
            Some((DateOrder::Dmy, false))
        );
        assert_eq!(order(&["2012-02-13", "red"]), None);
        // Excel's `d-mmm-yy` names its month, and `01/2012` has no day: neither needs an order.
        assert_eq!(
            order(&["31-Jan-12", "5-feb-2012", "1-MARCH-12"]),
            Some((DateOrder::Ymd, false))
        );
        assert_eq!(order(&["01/2012", "1/2013"]), Some((DateOrder::Ymd, false)));
        assert_eq!(
            order(&["01/2012", "13/02/2012"]),
            Some((DateOrder::Dmy, false))
        );
        // `Jan-12` is January 2012 or January 12th: no date in any order.
        assert_eq!(order(&["Jan-12", "Feb-12"]), None);
        assert_eq!(order(&["12-Jan", "Jan-12-12"]), None);
    }

    #[test]
    fn the_parts_are_what_the_cells_give() {
        let cells = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let parts = |c: &[&str]| detect("d", &cells(c), None).map(|(d, _)| d.parts);
        assert_eq!(
            parts(&["2012-01", "January 2013"]),
            Some(DatePart::MONTH.to_vec())
        );
        assert_eq!(
            parts(&["01/2012", "2012-02", "1/2012"]),
            Some(DatePart::MONTH.to_vec())
        );
        // A month with a time is no date: `01/2012 10:30` is none.
        assert_eq!(parts(&["01/2012 10:30"]), None);
        assert_eq!(
            parts(&["2012-01", "2012-01-05"]),
            Some(DatePart::DAY.to_vec())
        );
        // Midnight throughout, as pandas writes a column of days read as datetimes.
        assert_eq!(
            parts(&["2012-01-05 00:00:00", "2012-01-06 00:00:00"]),
            Some(DatePart::DAY.to_vec())
        );
        let mut with_hours = DatePart::DAY.to_vec();
        with_hours.push(DatePart::Hour);
        assert_eq!(
            parts(&["2012-01-05 00:00:00", "2012-01-06 13:15:00"]),
            Some(with_hours)
        );
    }

    #[test]
    fn a_last_instant_stays_in_its_day_and_named_weekdays_must_be_the_dates() {
        let t = parse("2012-01-31 23:59:59.999999999", DateOrder::Ymd).unwrap();
        assert_eq!(DatePart::Day.of(t), 31.0);
        assert!(t < 15_371.0);
        assert_eq!(
            parse("Tuesday, January 31, 2012", DateOrder::Ymd),
            Some(15_370.0)
        );
        assert_eq!(parse("Tue Jan 31 2012", DateOrder::Ymd), Some(15_370.0));
        assert_eq!(parse("Monday, January 31, 2012", DateOrder::Ymd), None);
        assert_eq!(parse("January Tuesday 31, 2012", DateOrder::Ymd), None);
        assert_eq!(
            parse("2012-01-31 10:30:00 +0000", DateOrder::Ymd),
            Some(15_370.437_5)
        );
        assert_eq!(
            parse("2012-01-31 10:30:00 Z", DateOrder::Ymd),
            Some(15_370.437_5)
        );
    }

    #[test]
    fn times_are_read_as_written() {
        let at = |t: &str| time_of_day(t);
        assert_eq!(at("10:30"), Some(37_800.0));
        assert_eq!(at("10:30:15.5"), Some(37_815.5));
        assert_eq!(at("10:30:15+02:00"), Some(37_815.0));
        assert_eq!(at("10:30:15-0500"), Some(37_815.0));
        assert_eq!(at("12:05 AM"), Some(300.0));
        assert_eq!(at("12:05pm"), Some(43_500.0));
        assert_eq!(at("10:30:15 UTC"), Some(37_815.0));
        assert_eq!(at("10:30:15gmt"), Some(37_815.0));
        for bad in [
            "24:00",
            "10:60",
            "13:00 PM",
            "10",
            "10:3",
            "10:30:15.",
            "1:30+5",
            "10:30 EST",
            "10:30 UTC+",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }
}
