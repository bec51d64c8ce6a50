//! One-line charts: `▁▂▃▄▅▆▇█`, scaled from 0 to the largest value, so that a trend can be seen at
//! a glance and a flat zero line reads as nothing happening.

/// The eight levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// A mark whose buckets all failed.
pub(super) const MISSING: char = '·';

/// The sparkline of `values` (`None`: the bucket failed), at most `width` marks: when there are
/// more values than that, each mark stands for `group` consecutive values added up, and `group`
/// is returned with the line.
pub(super) fn sparkline(values: &[Option<f64>], width: usize) -> (String, usize) {
    let group = values.len().div_ceil(width.max(1)).max(1);
    let marks: Vec<Option<f64>> = values
        .chunks(group)
        .map(|chunk| {
            let known: Vec<f64> = chunk.iter().flatten().copied().collect();
            (!known.is_empty()).then(|| known.iter().sum())
        })
        .collect();
    let max = marks.iter().flatten().copied().fold(0.0_f64, f64::max);
    let line = marks
        .iter()
        .map(|mark| match mark {
            None => MISSING,
            Some(_) if max <= 0.0 => LEVELS[0],
            Some(value) => {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a ratio in 0..=1 times 7, rounded: 0..=7"
                )]
                let level = ((value / max) * 7.0).round().clamp(0.0, 7.0) as usize;
                LEVELS[level]
            }
        })
        .collect();
    (line, group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_from_zero_to_the_largest() {
        let values = [0.0, 1.0, 2.0, 7.0].map(Some);
        assert_eq!(sparkline(&values, 80), ("▁▂▃█".to_owned(), 1));
        assert_eq!(sparkline(&[Some(0.0); 3], 80).0, "▁▁▁");
        assert_eq!(sparkline(&[Some(5.0), None, Some(5.0)], 80).0, "█·█");
    }

    #[test]
    fn too_many_values_are_added_in_groups() {
        let values: Vec<Option<f64>> = (0..10).map(|v| Some(f64::from(v))).collect();
        let (line, group) = sparkline(&values, 4);
        assert_eq!(group, 3);
        // 0+1+2, 3+4+5, 6+7+8, and the last group holds only 9.
        assert_eq!(line, "▂▅█▄");
    }
}
