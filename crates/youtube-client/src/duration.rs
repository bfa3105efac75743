//! ISO 8601 durations as the Data API writes them: `PT4M13S`, `PT1H`, `P1DT2H3M4S`, and
//! `P0D` for an upcoming or live video.

use std::time::Duration;

/// Parses a video duration; `None` for anything else (weeks, months and years, which videos
/// never have, included).
pub fn parse_iso8601_duration(text: &str) -> Option<Duration> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut seconds: u64 = 0;
    let mut any = false;
    let mut read = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut number = String::new();
        let mut allowed = units.iter();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            // Each designator at most once, in order.
            let (_, factor) = allowed.find(|(designator, _)| *designator == c)?;
            let value: u64 = number.parse().ok()?;
            seconds = seconds.checked_add(value.checked_mul(*factor)?)?;
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    read(date, &[('D', 86_400)])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        read(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_youtube_writes() {
        assert_eq!(
            parse_iso8601_duration("PT4M13S"),
            Some(Duration::from_secs(253))
        );
        assert_eq!(
            parse_iso8601_duration("PT1H"),
            Some(Duration::from_secs(3_600))
        );
        assert_eq!(parse_iso8601_duration("P0D"), Some(Duration::ZERO));
        assert_eq!(
            parse_iso8601_duration("P1DT2H3M4S"),
            Some(Duration::from_secs(93_784))
        );
        assert_eq!(
            parse_iso8601_duration("PT59S"),
            Some(Duration::from_secs(59))
        );
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            "", "P", "PT", "4M13S", "PT4X", "PT13S4M", "P1W", "PT4M13", "P1Y",
        ] {
            assert_eq!(parse_iso8601_duration(bad), None, "{bad}");
        }
    }
}
