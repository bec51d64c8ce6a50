//! UTC calendar days to Unix seconds, for fixture dates (`YYYY-MM-DD`).
//! The calendar is jiff's; only the one accepted shape is checked here.

use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Start of a UTC day `YYYY-MM-DD` in Unix seconds.
pub(crate) fn parse_date(date: &str) -> Result<i64, String> {
    // jiff also reads other ISO 8601 forms (`+002024-01-01`); a fixture takes only this one.
    let shaped = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(format!("{date:?} is not a date of the form YYYY-MM-DD"));
    }
    date.parse::<Date>()
        .and_then(|day| day.to_zoned(TimeZone::UTC))
        .map(|start| start.timestamp().as_second())
        .map_err(|_| format!("{date:?} is not a calendar date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2018-01-01"), Ok(1_514_764_800));
        assert_eq!(parse_date("2024-02-29"), Ok(1_709_164_800));
        assert_eq!(parse_date("2100-01-01"), Ok(4_102_444_800));
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
