//! Campaign IDs: from the arguments, and from standard input where an argument is `-`.
//!
//! Every ID is checked with the model's rule before anything is sent, so one typo refuses the
//! whole command (exit status 2) instead of costing a request.

use std::io::{BufRead, Read as _};
use std::num::IntErrorKind;

use wa_stats_model::{CampaignStatisticsRequest, validate};

use std::io::Write as _;

use crate::deadline::Deadline;
use crate::refusal::{EXIT_FAILED, Refusal, Stop};

/// The most campaign IDs one run takes, whatever `--max-requests` allows: 8 MB of IDs, so that
/// an endless standard input (`yes 12345 | wa-stats campaign -`) is refused with bounded memory.
pub(crate) const MAX_IDS: usize = 1_000_000;

/// The longest line read from standard input: far more than any list of IDs needs on one line,
/// and a bound on memory when a line never ends.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// How many IDs a run takes, and what it says past that.
#[derive(Debug, Clone)]
pub(crate) struct Most {
    /// The most IDs taken.
    pub(crate) ids: usize,
    /// The refusal of one more.
    pub(crate) refusal: Refusal,
}

impl Most {
    /// [`MAX_IDS`], or fewer when `--max-requests max` at `per_id` requests each allows fewer.
    pub(crate) fn for_requests(max: usize, per_id: usize) -> Self {
        let allowed = max / per_id.max(1);
        if allowed < MAX_IDS {
            return Self {
                ids: allowed,
                refusal: Refusal::new(
                    format!(
                        "more campaign IDs than --max-requests {max} allows: {} IDs at {per_id} \
                         request{} each would be more than {max} requests",
                        allowed + 1,
                        if per_id == 1 { "" } else { "s" }
                    ),
                    "give fewer IDs, narrow --from/--to or use a coarser --by, or allow more with \
                     --max-requests N",
                ),
            };
        }
        Self::ids()
    }

    /// [`MAX_IDS`].
    pub(crate) fn ids() -> Self {
        Self {
            ids: MAX_IDS,
            refusal: Refusal::new(
                format!("more than {MAX_IDS} campaign IDs, the most one run takes"),
                "split the IDs over several runs (e.g. with split -l 1000000)",
            ),
        }
    }
}

/// How reading the IDs ended, when it did not give them.
#[derive(Debug)]
pub(crate) enum Unread {
    /// Refused: a bad ID, too many, a line too long, unreadable input.
    Refused(Refusal),
    /// `--deadline` passed while standard input was still open.
    Deadline,
    /// SIGINT or SIGTERM while reading; the exit status for it.
    Signal(u8),
}

impl Unread {
    /// The exit status (and the line on stderr) when reading the IDs did not give them: a refusal,
    /// or `--deadline` or a signal while standard input was still open. Nothing was sent.
    pub(crate) fn end(self, quiet: bool, deadline: Option<&Deadline>) -> Result<u8, Stop> {
        let (line, status) = match self {
            Self::Refused(refusal) => return Err(Stop::Refused(refusal)),
            Self::Deadline => (
                format!(
                    "--deadline {} reached while reading campaign IDs from standard input; nothing \
                     sent",
                    deadline.map(ToString::to_string).unwrap_or_default()
                ),
                EXIT_FAILED,
            ),
            Self::Signal(status) => (
                "interrupted while reading campaign IDs from standard input; nothing sent"
                    .to_owned(),
                status,
            ),
        };
        if !quiet {
            let _ = writeln!(std::io::stderr(), "wa-stats: {line}");
        }
        Ok(status)
    }
}

/// [`collect`] with standard input read on a thread of its own, so that `deadline` and SIGINT or
/// SIGTERM end the wait for a writer that never closes it (the thread is left blocked in its
/// read; the process exits around it). Without `-` nothing is read and nothing waited for.
pub(crate) async fn read(
    args: &[String],
    most: Most,
    deadline: Option<tokio::time::Instant>,
) -> Result<Vec<i64>, Unread> {
    if !args.iter().any(|arg| arg == "-") {
        return collect(args, &b""[..], &most).map_err(Unread::Refused);
    }
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let owned = args.to_vec();
    std::thread::spawn(move || {
        let read = collect(&owned, std::io::stdin().lock(), &most);
        // The receiver is gone only when the run already ended.
        let _ = sender.send(read);
    });
    let sleep = async {
        match deadline {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        status = crate::signals::interrupted() => Err(Unread::Signal(status)),
        () = sleep => Err(Unread::Deadline),
        read = receiver => match read {
            Ok(read) => read.map_err(Unread::Refused),
            Err(_) => Err(Unread::Refused(Refusal {
                problem: "cannot read campaign IDs from standard input: the reader stopped"
                    .to_owned(),
                fix: None,
            })),
        },
    }
}

/// Reads the IDs in the order given, replacing `-` by the IDs on `stdin`: separated by
/// whitespace, commas or line breaks; blank lines and lines starting with `#` skipped. A first
/// line starting `campaign_id` is this tool's CSV header (or `cut -d, -f1` of it): skipped, and
/// when it has more columns only the first column of each row is read. Without it, a line whose
/// comma-separated fields are not one ID each (a headerless CSV row) is refused. An ID of stdin
/// past `most.ids` IDs in all, or a line longer than [`MAX_LINE`], is refused as soon as read.
pub(crate) fn collect(
    args: &[String],
    stdin: impl BufRead,
    most: &Most,
) -> Result<Vec<i64>, Refusal> {
    let mut stdin = Some(stdin);
    let mut ids = Vec::new();
    let push = |ids: &mut Vec<i64>, id: i64| {
        if ids.len() >= most.ids {
            return Err(most.refusal.clone());
        }
        ids.push(id);
        Ok(())
    };
    for (position, arg) in args.iter().enumerate() {
        if arg != "-" {
            // Arguments are bounded by the system's own limit; the request cap's refusal after
            // reading says the whole count, which only stdin's IDs need to be stopped before.
            ids.push(parse_id(arg, &format!("argument {}", position + 1))?);
            continue;
        }
        let Some(mut input) = stdin.take() else {
            return Err(Refusal::new(
                "`-` given twice: standard input can be read only once",
                "give `-` once",
            ));
        };
        let before = ids.len();
        // This tool's CSV (`wa-stats campaign … --format csv | wa-stats campaign -`): its header
        // says so, and then only the first column of each row is an ID.
        let mut csv = false;
        let mut bytes = Vec::new();
        for number in 0.. {
            let Some(line) = next_line(&mut input, &mut bytes, number)? else {
                break;
            };
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
                push(&mut ids, parse_id(first, &place)?)?;
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
                    let id = parse_id(id, &place).map_err(|refusal| {
                        if line.contains(',') {
                            not_a_list(&place, line)
                        } else {
                            refusal
                        }
                    })?;
                    push(&mut ids, id)?;
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

/// The next line of `input` (line `number`, from 0) without its line break, read into `bytes`
/// and never longer than [`MAX_LINE`]; `None` at the end.
fn next_line<'b>(
    input: &mut impl BufRead,
    bytes: &'b mut Vec<u8>,
    number: usize,
) -> Result<Option<&'b str>, Refusal> {
    let unreadable = |why: String| Refusal {
        problem: format!("cannot read campaign IDs from standard input: {why}"),
        fix: None,
    };
    bytes.clear();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
    let read = input
        .take(limit)
        .read_until(b'\n', bytes)
        .map_err(|error| unreadable(error.to_string()))?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if bytes.len() > MAX_LINE {
        return Err(Refusal::new(
            format!(
                "line {} of standard input is longer than {MAX_LINE} bytes: not a list of \
                 campaign IDs",
                number + 1
            ),
            "pipe campaign IDs, one per line or separated by spaces or commas",
        ));
    }
    std::str::from_utf8(bytes)
        .map(Some)
        .map_err(|_| unreadable(format!("line {} is not UTF-8 text", number + 1)))
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

    fn collect_all(args: &[String], stdin: impl BufRead) -> Result<Vec<i64>, Refusal> {
        collect(args, stdin, &Most::ids())
    }

    #[test]
    fn too_many_ids_or_too_long_a_line_are_refused_as_read() {
        let most = Most::for_requests(3, 1);
        assert_eq!(
            collect(&args(&["1", "-"]), &b"2 3\n"[..], &most).unwrap(),
            [1, 2, 3]
        );
        let refusal = collect(&args(&["1", "-"]), &b"2 3 4\n"[..], &most).unwrap_err();
        assert!(refusal.problem.contains("--max-requests 3"), "{refusal}");
        let long = format!("1{}\n", " ".repeat(MAX_LINE));
        let refusal = collect_all(&args(&["-"]), long.as_bytes()).unwrap_err();
        assert!(
            refusal
                .problem
                .contains("line 1 of standard input is longer"),
            "{refusal}"
        );
        let fits = format!("1{}\n2", " ".repeat(MAX_LINE - 1));
        assert_eq!(collect_all(&args(&["-"]), fits.as_bytes()).unwrap(), [1, 2]);
        assert!(collect_all(&args(&["-"]), &b"1\n\xff\n"[..]).is_err());
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&s| s.to_owned()).collect()
    }

    #[test]
    fn stdin_replaces_the_dash_in_place() {
        let ids = collect_all(&args(&["1", "-", "4"]), "2\n\n # note\n 3 \n".as_bytes()).unwrap();
        assert_eq!(ids, [1, 2, 3, 4]);
    }

    #[test]
    fn bad_ids_name_their_place() {
        let refusal = collect_all(&args(&["1", "x"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("`x` (argument 2)"), "{refusal}");
        let refusal = collect_all(&args(&["0"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("greater than 0"), "{refusal}");
        let refusal = collect_all(&args(&["-"]), &b"5\n-7\n"[..]).unwrap_err();
        assert!(
            refusal.problem.contains("line 2 of standard input"),
            "{refusal}"
        );
        assert!(collect_all(&args(&["-"]), &b"\n"[..]).is_err());
        assert!(collect_all(&args(&["-", "-"]), &b"1\n"[..]).is_err());
        let refusal = collect_all(&args(&["12345678901234567890"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("out of range"), "{refusal}");
    }

    #[test]
    fn stdin_takes_spaces_commas_and_our_csv_header() {
        let ids = collect_all(
            &args(&["-"]),
            "campaign_id\n12345 12346\n12347,12348\n 12349 , 12350\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(ids, [12345, 12346, 12347, 12348, 12349, 12350]);
        // Only as the first line: anywhere else it is not an ID.
        let refusal = collect_all(&args(&["-"]), &b"1\ncampaign_id\n"[..]).unwrap_err();
        assert!(refusal.problem.contains("line 2"), "{refusal}");
        assert!(collect_all(&args(&["-"]), &b"1;2\n"[..]).is_err());
    }

    #[test]
    fn our_csv_gives_its_first_column_and_a_headerless_row_is_refused() {
        let csv = "campaign_id,sent,delivered,revenue,error\n12345,10,9,3.5,\n12346,0,0,0,\n";
        assert_eq!(
            collect_all(&args(&["-"]), csv.as_bytes()).unwrap(),
            [12345, 12346]
        );
        let refusal = collect_all(&args(&["-"]), &b"12345,10,9,3.5,\n"[..]).unwrap_err();
        assert!(
            refusal.problem.contains("not a list of campaign IDs"),
            "{refusal}"
        );
        assert!(refusal.problem.contains("line 1"), "{refusal}");
        // Counters that happen to be valid IDs, but an empty field gives the row away.
        let refusal = collect_all(&args(&["-"]), &b"12345,10,9,\n"[..]).unwrap_err();
        assert!(refusal.problem.contains("not a list"), "{refusal}");
    }
}
