#!/usr/bin/env python3
"""Expected dates (dates_expected.json) for crates/dnn-data/tests/data/dates.rs: cells written
with Python's own strftime in the forms dnn reads (src/dates.rs), and what Python's datetime
makes of each: the instant (days since 1970-01-01, the time of day as their fraction), the
year, month, day, weekday (date.weekday(): 0 is Monday), day of the year (tm_yday) and hour
(its minutes and seconds as a fraction). Every cell is read back by Python's strptime in its form (the zone, which dnn does not
apply, dropped), which must give the instant it was written from. Only the standard library: no
date parser of dnn's.

    python crates/dnn-data/tests/reference/gen_dates.py [--out DIR]
"""
import argparse
import datetime
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH = datetime.datetime(1970, 1, 1)

# (name, strftime form, dnn's order for it, whether it gives a time, whether only a month)
FORMS = [
    ("iso", "%Y-%m-%d", "ymd", False, False),
    ("slashes_year_first", "%Y/%m/%d", "ymd", False, False),
    ("points_year_first", "%Y.%m.%d", "ymd", False, False),
    ("day_first_slashes", "%d/%m/%Y", "dmy", False, False),
    ("day_first_points", "%d.%m.%Y", "dmy", False, False),
    ("day_first_dashes", "%d-%m-%Y", "dmy", False, False),
    ("month_first", "%m/%d/%Y", "mdy", False, False),
    ("month_first_short_year", "%m/%d/%y", "mdy", False, False),
    ("month_name", "%b %d, %Y", "ymd", False, False),
    ("day_month_name", "%d %B %Y", "ymd", False, False),
    ("year_month_name_day", "%Y-%b-%d", "ymd", False, False),
    ("iso_time", "%Y-%m-%dT%H:%M:%S", "ymd", True, False),
    ("iso_time_zulu", "%Y-%m-%dT%H:%M:%SZ", "ymd", True, False),
    ("space_minutes", "%Y-%m-%d %H:%M", "ymd", True, False),
    ("month_first_twelve_hours", "%m/%d/%Y %I:%M %p", "mdy", True, False),
    ("day_first_time", "%d/%m/%Y %H:%M:%S", "dmy", True, False),
    ("month", "%Y-%m", "ymd", False, True),
    ("month_name_year", "%B %Y", "ymd", False, True),
    # Added after the forms above, so that their cells (drawn from one generator) stay as they were.
    ("excel_short_year", "%d-%b-%y", "ymd", False, False),
    ("excel_full_name_short_year", "%d-%B-%y", "ymd", False, False),
    ("excel_four_digit_year", "%d-%b-%Y", "ymd", False, False),
    ("month_first_month_year", "%m/%Y", "ymd", False, True),
    ("rfc_2822", "%a, %d %b %Y %H:%M:%S +0000", "ymd", True, False),
    ("rfc_2822_zone", "%a, %d %b %Y %H:%M:%S -0800", "ymd", True, False),
    ("http_date", "%a, %d %b %Y %H:%M:%S GMT", "ymd", True, False),
    ("month_name_twelve_hours", "%b %d, %Y %I:%M %p", "ymd", True, False),
    ("space_seconds_utc", "%Y-%m-%d %H:%M:%S UTC", "ymd", True, False),
    ("space_seconds_zulu", "%Y-%m-%d %H:%M:%SZ", "ymd", True, False),
]

# How some forms' cells are written beyond strftime: Excel's `d` and `m/yyyy` drop a leading
# zero (as 5-Feb-12 and 1/2012), and month names come in any case.
WRITTEN = {
    "excel_short_year": lambda cell, i: cell.lstrip("0").lower() if i % 2 else cell.lstrip("0"),
    "excel_full_name_short_year": lambda cell, i: cell.upper() if i % 2 else cell,
    "excel_four_digit_year": lambda cell, i: cell.lower() if i % 2 else cell.lstrip("0"),
    "month_first_month_year": lambda cell, i: cell.lstrip("0") if i % 2 else cell,
}

# strptime's forms for the cells: the literal zones become %z and %Z, which Python reads (and
# which are then dropped, as dnn drops them).
READ_AS = {"+0000": "%z", "-0800": "%z", " GMT": " %Z", " UTC": " %Z"}


def instants(rng, n):
    """`n` instants, whole minutes or seconds, 1950 to 2060 (two-digit years read as 1969 to
    2068 are kept to 1969 to 2060), leap days and year ends included."""
    fixed = [
        datetime.datetime(2000, 2, 29, 23, 59, 59),
        datetime.datetime(1970, 1, 1, 0, 0, 0),
        datetime.datetime(1969, 12, 31, 12, 30, 0),
        datetime.datetime(2012, 12, 31, 0, 1, 0),
        datetime.datetime(2016, 12, 31, 13, 0, 0),
    ]
    start = datetime.datetime(1950, 1, 1)
    span = (datetime.datetime(2060, 12, 31) - start).total_seconds()
    rand = [start + datetime.timedelta(seconds=rng.randrange(int(span))) for _ in range(n)]
    return fixed + rand


def expected(cell_time, form, time, month):
    """What dnn must read from `cell_time` written in `form`."""
    t = cell_time
    if month:
        t = datetime.datetime(t.year, t.month, 1)
    elif not time:
        t = datetime.datetime(t.year, t.month, t.day)
    elif "%S" not in form:
        t = t.replace(second=0)
    days = (datetime.datetime(t.year, t.month, t.day) - EPOCH).days
    seconds = t.hour * 3600 + t.minute * 60 + t.second
    return {
        "instant": days + seconds / 86400.0,
        "year": t.year,
        "month": t.month,
        "day": t.day,
        "weekday": t.weekday(),
        "day_of_year": t.timetuple().tm_yday,
        "hour": t.hour + t.minute / 60.0 + t.second / 3600.0,
    }


def read_back(cell, form):
    """The naive instant Python's strptime reads from `cell` written in `form`."""
    for literal, directive in READ_AS.items():
        form = form.replace(literal, directive)
    return datetime.datetime.strptime(cell, form).replace(tzinfo=None)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()
    rng = random.Random(20121231)
    cases = []
    for name, form, order, time, month in FORMS:
        for i, t in enumerate(instants(rng, 25)):
            if "%y" in form and not 1969 <= t.year <= 2068:
                continue
            cell = WRITTEN.get(name, lambda cell, i: cell)(t.strftime(form), i)
            want = expected(t, form, time, month)
            back = read_back(cell, form)
            days = (datetime.datetime(back.year, back.month, back.day) - EPOCH).days
            seconds = back.hour * 3600 + back.minute * 60 + back.second
            if days + seconds / 86400.0 != want["instant"]:
                raise SystemExit(f"{cell!r} reads back as {back} in {form!r}, not {want}")
            cases.append({"form": name, "cell": cell, "order": order, **want})
    # Cells that are no date in their order: impossible days, months and times, other text.
    bad = [
        ("2013-02-29", "ymd"), ("2012-13-01", "ymd"), ("2012-00-10", "ymd"), ("31/04/2012", "dmy"),
        ("04/31/2012", "mdy"), ("13/01/2012", "mdy"), ("01/13/2012", "dmy"), ("2012-01-01 24:00", "ymd"),
        ("2012-01-01 10:60", "ymd"), ("01/02/2012 13:00 PM", "mdy"), ("1.2.12", "dmy"), ("2012", "ymd"),
        ("Adelie", "ymd"), ("Foo 5, 2012", "ymd"), ("Jan 5, 2012, 2013", "ymd"), ("01/02/2012", "ymd"),
        ("2012-01-01T", "ymd"), ("Jan 32, 2012", "ymd"), ("1.5", "ymd"), ("2012--01", "ymd"),
    ]
    for cell, order in bad:
        try:
            datetime.datetime.strptime(cell, {"ymd": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}[order])
            raise SystemExit(f"{cell!r} is a date to Python in its form; not a bad cell")
        except ValueError:
            pass
    # Cells near the newer forms that are none: each with the strptime forms that would read it
    # were it a date, which must refuse it too.
    bad_near = [
        ("31-Feb-12", "ymd", ["%d-%b-%y"]), ("32-Jan-12", "ymd", ["%d-%b-%y"]),
        ("31-Foo-12", "ymd", ["%d-%b-%y"]), ("31-Jan-123", "ymd", ["%d-%b-%y", "%d-%b-%Y"]),
        ("13/2012", "ymd", ["%m/%Y"]), ("0/2012", "ymd", ["%m/%Y"]),
        ("Tue, 31 Jan 2012 25:00:00 GMT", "ymd", ["%a, %d %b %Y %H:%M:%S %Z"]),
        ("2012-01-31 10:30:00 UTC+", "ymd", ["%Y-%m-%d %H:%M:%S %Z"]),
    ]
    for cell, order, forms in bad_near:
        for form in forms:
            try:
                datetime.datetime.strptime(cell, form)
                raise SystemExit(f"{cell!r} is a date to Python in {form!r}; not a bad cell")
            except ValueError:
                pass
    # Cells Python reads in some form that dnn must refuse all the same, and why.
    # `Jan-12` is January 2012 to %b-%y and January 12th to %b-%d: the cell does not say which.
    ambiguous = [datetime.datetime.strptime("Jan-12", f) for f in ("%b-%y", "%b-%d")]
    assert ambiguous[0].date() != ambiguous[1].date().replace(year=ambiguous[0].year), ambiguous
    # A named weekday that is not the date's (strptime ignores %a): 2012-01-31 was a Tuesday.
    wrong_day = datetime.datetime.strptime("Mon, 31 Jan 2012 10:30:00 GMT", "%a, %d %b %Y %H:%M:%S %Z")
    assert wrong_day.strftime("%a") != "Mon", wrong_day
    # A zone by another name than UTC or GMT, which dnn would have to know to drop (Python's %Z
    # reads only those and the machine's own zone).
    refused = [
        ("Jan-12", "ymd"), ("Jan-12", "dmy"), ("Jan-12", "mdy"), ("Mon, 31 Jan 2012 10:30:00 GMT", "ymd"),
        ("Tue, 31 Jan 2012 10:30:00 EST", "ymd"),
    ]
    bad += [(c, o) for c, o, _ in bad_near] + refused
    out = {"cases": cases, "not_dates": [{"cell": c, "order": o} for c, o in bad]}
    path = os.path.join(args.out, "dates_expected.json")
    with open(path, "w") as f:
        # One case a line: small, and a diff names the cases that changed.
        f.write("{\n")
        for key in ("cases", "not_dates"):
            lines = ",\n".join("  " + json.dumps(c) for c in out[key])
            f.write(f' "{key}": [\n{lines}\n ]' + (",\n" if key == "cases" else "\n"))
        f.write("}\n")
    print(f"wrote {len(cases)} dates and {len(bad)} cells that are none to {path}")


if __name__ == "__main__":
    main()
