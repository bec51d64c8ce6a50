//! UTC calendar days <-> Unix seconds, for fixture dates (`YYYY-MM-DD`) and the built-in data.

/// Start of a UTC day `YYYY-MM-DD` in Unix seconds.
pub(crate) fn parse_date(date: &str) -> Result<i64, String> {
    let bad = || format!("{date:?} is not a date of the form YYYY-MM-DD");
    let bytes = date.as_bytes();
    // ASCII first, so that slicing below can never split a multi-byte character.
    if !date.is_ascii() || bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = &date[range];
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let valid_month = usize::try_from(month - 1)
        .ok()
        .and_then(|m| month_days.get(m));
    match valid_month {
        Some(&days) if (1..=days).contains(&day) => {}
        _ => return Err(format!("{date:?} is not a calendar date")),
    }
    Ok(days_from_civil(year, month, day) * 86_400)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of the UTC day containing Unix second `seconds` (inverse of [`parse_date`]).
pub(crate) fn format_date(seconds: i64) -> String {
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2018-01-01"), Ok(1_514_764_800));
        assert_eq!(parse_date("2024-02-29"), Ok(1_709_164_800));
        for seconds in [0, 1_514_764_800, 1_709_164_800, 4_102_444_800] {
            assert_eq!(parse_date(&format_date(seconds)), Ok(seconds));
        }
        for bad in [
            "2é4-01-01",
            "2024-0é-1",
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01x",
            "2024-00-10",
            "+024-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
