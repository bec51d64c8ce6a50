//! Campaign IDs: from the arguments, and from standard input where an argument is `-`.
//!
//! Every ID is checked with the model's rule before anything is sent, so one typo refuses the
//! whole command (exit status 2) instead of costing a request.

use std::io::BufRead;
use std::num::IntErrorKind;

use wa_stats_model::{CampaignStatisticsRequest, validate};

use crate::refusal::Refusal;

/// Reads the IDs in the order given, replacing `-` by the IDs on `stdin`: separated by
/// whitespace, commas or line breaks; blank lines and lines starting with `#` skipped. A first
/// line starting `campaign_id` is this tool's CSV header (or `cut -d, -f1` of it): skipped, and
/// when it has more columns only the first column of each row is read. Without it, a line whose
/// comma-separated fields are not one ID each (a headerless CSV row) is refused.
pub(crate) fn collect(args: &[String], stdin: impl BufRead) -> Result<Vec<i64>, Refusal> {
    let mut stdin = Some(stdin);
    let mut ids = Vec::new();
    for (position, arg) in args.iter().enumerate() {
        if arg != "-" {
            ids.push(parse_id(arg, &format!("argument {}", position + 1))?);
            continue;
        }
        let Some(input) = stdin.take() else {
            return Err(Refusal::new(
                "`-` given twice: standard input can be read only once",
                "give `-` once",
            ));
        };
        let before = ids.len();
        // This tool's CSV (`wa-stats campaign … --format csv | wa-stats campaign -`): its header
        // says so, and then only the first column of each row is an ID.
        let mut csv = false;
        for (number, line) in input.lines().enumerate() {
            let line = line.map_err(|error| Refusal {
                problem: format!("cannot read campaign IDs from standard input: {error}"),
                fix: None,
            })?;
            let line = line.trim();
            if number == 0 && is_header(line) {
                csv = line.contains(',');
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let place = format!("line {} of standard input", number + 1);
            if csv {
                let first = line.split(',').next().unwrap_or_default().trim();
                ids.push(parse_id(first, &place)?);
                continue;
            }
            // Each comma-separated field holds one ID (or several separated by spaces): an
            // empty field, or a field that is not an ID, means this is not a list of IDs, most
            // likely a CSV row without its header, whose counters must not become IDs.
            for field in line.split(',') {
                let field = field.trim();
                if field.is_empty() && line.contains(',') {
                    return Err(not_a_list(&place, line));
                }
                for id in field.split_whitespace() {
                    ids.push(parse_id(id, &place).map_err(|refusal| {
                        if line.contains(',') {
                            not_a_list(&place, line)
                        } else {
                            refusal
                        }
                    })?);
                }
            }
        }
        if ids.len() == before {
            return Err(Refusal::new(
                "`-` given but standard input held no campaign ID",
                "pipe IDs into `wa-stats campaign -`, one per line or separated by spaces or commas",
            ));
        }
    }
    Ok(ids)
}

/// The first column's name in this tool's CSV, skipped as a header line on standard input.
const HEADER: &str = "campaign_id";

/// Whether `line` is this tool's CSV header, or the lone `campaign_id` of `cut -d, -f1`.
fn is_header(line: &str) -> bool {
    line.split(',')
        .next()
        .is_some_and(|first| first.trim().eq_ignore_ascii_case(HEADER))
}

/// A line with more fields than one ID per field explains.
fn not_a_list(place: &str, line: &str) -> Refusal {
    let shown: String = line.chars().take(60).collect();
    Refusal::new(
        format!(
            "{place} is not a list of campaign IDs: `{shown}` has fields that are not IDs (a CSV \
             row without its header line?)"
        ),
        "pipe this tool's CSV with its header line (only its first column is read), or cut the \
         first column: cut -d, -f1",
    )
}

/// One ID, checked with the model's rule (R5 rule 1).
fn parse_id(text: &str, place: &str) -> Result<i64, Refusal> {
    let id = match text.parse::<i64>() {
        Ok(id) => id,
        Err(error) => {
            let problem = match error.kind() {
                IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                    format!(
                        "campaign ID `{text}` ({place}) is out of range: the largest is {}",
                        i64::MAX
                    )
                }
                _ => format!("campaign ID `{text}` ({place}) is not a whole number"),
            };
            return Err(Refusal::new(
                problem,
                "give campaign IDs as positive integers, e.g. `wa-stats campaign 12345`",
            ));
        }
    };
    match validate(&CampaignStatisticsRequest::new(id), i64::MAX) {
        Ok(_) => Ok(id),
        Err(error) => Err(Refusal::new(
            format!("campaign ID `{text}` ({place}): {error}"),
            "give campaign IDs as positive integers, e.g. `wa-stats campaign 12345`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&s| s.to_owned()).collect()
    }

    #[test]
    fn stdin_replaces_the_dash_in_place() {
        let ids = collect(&args(&["1", "-", "4"]), "2\n\n # note\n 3 \n".as_bytes()).unwrap();
        assert_eq!(ids, [1, 2, 3, 4]);
    }

    #[test]
    fn bad_ids_name_their_place() {
        let refusal = collect(&args(&["1", "x"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("`x` (argument 2)"), "{refusal}");
        let refusal = collect(&args(&["0"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("greater than 0"), "{refusal}");
        let refusal = collect(&args(&["-"]), &b"5\n-7\n"[..]).unwrap_err();
        assert!(
            refusal.problem.contains("line 2 of standard input"),
            "{refusal}"
        );
        assert!(collect(&args(&["-"]), &b"\n"[..]).is_err());
        assert!(collect(&args(&["-", "-"]), &b"1\n"[..]).is_err());
        let refusal = collect(&args(&["12345678901234567890"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("out of range"), "{refusal}");
    }

    #[test]
    fn stdin_takes_spaces_commas_and_our_csv_header() {
        let ids = collect(
            &args(&["-"]),
            "campaign_id\n12345 12346\n12347,12348\n 12349 , 12350\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(ids, [12345, 12346, 12347, 12348, 12349, 12350]);
        // Only as the first line: anywhere else it is not an ID.
        let refusal = collect(&args(&["-"]), &b"1\ncampaign_id\n"[..]).unwrap_err();
        assert!(refusal.problem.contains("line 2"), "{refusal}");
        assert!(collect(&args(&["-"]), &b"1;2\n"[..]).is_err());
    }

    #[test]
    fn our_csv_gives_its_first_column_and_a_headerless_row_is_refused() {
        let csv = "campaign_id,sent,delivered,revenue,error\n12345,10,9,3.5,\n12346,0,0,0,\n";
        assert_eq!(
            collect(&args(&["-"]), csv.as_bytes()).unwrap(),
            [12345, 12346]
        );
        let refusal = collect(&args(&["-"]), &b"12345,10,9,3.5,\n"[..]).unwrap_err();
        assert!(
            refusal.problem.contains("not a list of campaign IDs"),
            "{refusal}"
        );
        assert!(refusal.problem.contains("line 1"), "{refusal}");
        // Counters that happen to be valid IDs, but an empty field gives the row away.
        let refusal = collect(&args(&["-"]), &b"12345,10,9,\n"[..]).unwrap_err();
        assert!(refusal.problem.contains("not a list"), "{refusal}");
    }
}
