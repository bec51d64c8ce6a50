//! A fast writer for the success body: the derived `Serialize` output, compiled once per shape
//! into fixed bytes with the numbers cut out, so that writing a body is pasting numbers between
//! them instead of escaping the same ~35 keys again (a mock answering tens of thousands of
//! requests a second spends most of its serialising time there).
//!
//! Nothing about the wire is restated here: the fixed bytes are `serde_json`'s own output for a
//! probe whose every number is a distinct marker, and the numbers are written by the same
//! serialiser (revenue through the model's `write_number`). A body whose shape has no template
//! (conversational cards, unknown fields) goes through `serde_json` as before.

use std::sync::OnceLock;

use super::counters::{COUNTERS, read_all};
use super::{CampaignStatistics, DropDetails, ResponseSummary, UndeliveredDetails, write_number};

/// First marker. Markers stay below 2^53 so that they survive a trip through `f64` (revenue),
/// and are long enough that no key or punctuation can be mistaken for one.
const MARKER_BASE: u64 = 4_000_000_000_000_000;

/// Which optional objects a body has; only bodies without cards or unknown fields have one.
#[derive(Clone, Copy)]
struct Shape {
    drop_details: bool,
    undelivered_details: bool,
    response_summary: bool,
}

impl Shape {
    fn of(stats: &CampaignStatistics) -> Option<Self> {
        let plain = stats.responses.is_none()
            && stats.extra.is_empty()
            && stats
                .drop_details
                .as_ref()
                .is_none_or(|d| d.extra.is_empty())
            && stats
                .undelivered_details
                .as_ref()
                .is_none_or(|u| u.extra.is_empty())
            && stats
                .response_summary
                .as_ref()
                .is_none_or(|s| s.extra.is_empty());
        plain.then(|| Self {
            drop_details: stats.drop_details.is_some(),
            undelivered_details: stats.undelivered_details.is_some(),
            response_summary: stats.response_summary.is_some(),
        })
    }

    fn index(self) -> usize {
        usize::from(self.drop_details)
            | usize::from(self.undelivered_details) << 1
            | usize::from(self.response_summary) << 2
    }

    /// A zero-valued body of this shape.
    fn zeroed(self) -> CampaignStatistics {
        CampaignStatistics {
            drop_details: self.drop_details.then(DropDetails::default),
            undelivered_details: self.undelivered_details.then(UndeliveredDetails::default),
            response_summary: self.response_summary.then(ResponseSummary::default),
            ..CampaignStatistics::default()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// An index into [`COUNTERS`].
    Counter(usize),
    Revenue,
}

#[derive(Debug)]
struct Template {
    /// The body with every number cut out.
    fixed: Vec<u8>,
    /// Each number in body order: where it goes in `fixed`, and which value it is.
    slots: Vec<(usize, Slot)>,
}

impl Template {
    /// The template of `shape`, built once; `None` if the probe did not come out as expected
    /// (then bodies of that shape go through `serde_json`).
    fn of(shape: Shape) -> Option<&'static Self> {
        static TEMPLATES: [OnceLock<Option<Template>>; 8] = [const { OnceLock::new() }; 8];
        TEMPLATES[shape.index()]
            .get_or_init(|| Self::compile(shape))
            .as_ref()
    }

    fn compile(shape: Shape) -> Option<Self> {
        // Give every number of the zeroed body its own marker by rewriting its JSON, and read it
        // back: no list of fields here can drift from the type's own.
        let zeroed = serde_json::to_vec(&shape.zeroed()).ok()?;
        let mut marked = Vec::with_capacity(zeroed.len() * 2);
        let mut from = 0;
        for (marker, (start, end)) in (MARKER_BASE..).zip(numbers(&zeroed)) {
            marked.extend_from_slice(&zeroed[from..start]);
            marked.extend_from_slice(marker.to_string().as_bytes());
            from = end;
        }
        marked.extend_from_slice(&zeroed[from..]);
        let probe = CampaignStatistics::from_json(&marked).ok()?;
        let values: Vec<Option<u64>> = COUNTERS.iter().map(|c| c.get(&probe)).collect();
        let len = values.iter().flatten().count();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "markers are integers below 2^53, exact in f64"
        )]
        let revenue_marker = probe.revenue as u64;

        let mut fixed = Vec::with_capacity(zeroed.len());
        let mut slots = Vec::with_capacity(len + 1);
        let body = serde_json::to_vec(&probe).ok()?;
        from = 0;
        for (start, end) in numbers(&body) {
            fixed.extend_from_slice(&body[from..start]);
            let number: u64 = std::str::from_utf8(&body[start..end]).ok()?.parse().ok()?;
            let slot = if number == revenue_marker {
                Slot::Revenue
            } else {
                Slot::Counter(values.iter().position(|&v| v == Some(number))?)
            };
            slots.push((fixed.len(), slot));
            from = end;
        }
        fixed.extend_from_slice(&body[from..]);
        // Every counter and the revenue exactly once, nothing else.
        let mut seen: Vec<Slot> = slots.iter().map(|&(_, slot)| slot).collect();
        seen.sort_by_key(|slot| match slot {
            Slot::Counter(i) => *i,
            Slot::Revenue => usize::MAX,
        });
        seen.dedup();
        (seen.len() == slots.len() && slots.len() == len + 1).then_some(Self { fixed, slots })
    }

    fn write(&self, stats: &CampaignStatistics, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let values = read_all(stats);
        // serde_json formats integers with this same crate; calling it directly saves a
        // serializer per number.
        let mut digits = itoa::Buffer::new();
        let mut from = 0;
        for &(at, slot) in &self.slots {
            out.extend_from_slice(&self.fixed[from..at]);
            match slot {
                Slot::Counter(i) => out.extend_from_slice(digits.format(values[i]).as_bytes()),
                Slot::Revenue => {
                    write_number(&stats.revenue, &mut serde_json::Serializer::new(&mut *out))?;
                }
            }
            from = at;
        }
        out.extend_from_slice(&self.fixed[from..]);
        Ok(())
    }
}

/// The (start, end) of every run of digits in `json`: in a body with only numeric values and
/// digit-free keys, exactly its numbers.
fn numbers(json: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + json[at..].iter().position(u8::is_ascii_digit)?;
        let len = json[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        at = start + len;
        Some((start, at))
    })
}

/// Appends the flat body of `stats` to `out`, byte for byte what `serde_json` writes.
pub(super) fn write(stats: &CampaignStatistics, out: &mut Vec<u8>) {
    let start = out.len();
    if let Some(template) = Shape::of(stats).and_then(Template::of)
        && template.write(stats, out).is_ok()
    {
        return;
    }
    out.truncate(start);
    // Writing into a Vec cannot fail, and numbers are finite or written as null.
    let _ = serde_json::to_writer(&mut *out, stats);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_has_a_template() {
        for index in 0..8 {
            let shape = Shape {
                drop_details: index & 1 != 0,
                undelivered_details: index & 2 != 0,
                response_summary: index & 4 != 0,
            };
            let template = Template::of(shape).expect("template");
            let zeroed = shape.zeroed();
            let counters = COUNTERS.iter().filter_map(|c| c.get(&zeroed)).count();
            assert_eq!(template.slots.len(), counters + 1, "shape {index}");
        }
    }

    #[test]
    fn templated_body_matches_serde_json() {
        let mut stats = Shape {
            drop_details: true,
            undelivered_details: true,
            response_summary: true,
        }
        .zeroed();
        stats.sent = u64::MAX;
        stats.revenue = 12.5;
        if let Some(details) = stats.drop_details.as_mut() {
            details.policy_failures = 7;
        }
        let mut ours = Vec::new();
        write(&stats, &mut ours);
        assert_eq!(ours, serde_json::to_vec(&stats).expect("serialises"));
    }
}
