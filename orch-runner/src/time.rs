//! Timestamps: RFC 3339, UTC, milliseconds (`2026-12-03T09:00:00.000Z`), as events and the job
//! JSON carry them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A point in time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    /// Now, cut to the millisecond (so that what is stored reads back equal).
    pub fn now() -> Timestamp {
        Timestamp::from_millis(jiff::Timestamp::now().as_millisecond())
    }

    /// From milliseconds since the Unix epoch (out-of-range values are clamped).
    pub fn from_millis(ms: i64) -> Timestamp {
        let ms = ms.clamp(
            jiff::Timestamp::MIN.as_millisecond(),
            jiff::Timestamp::MAX.as_millisecond(),
        );
        // jiff's bounds are not whole milliseconds: the edges saturate.
        Timestamp(jiff::Timestamp::from_millisecond(ms).unwrap_or(if ms > 0 {
            jiff::Timestamp::MAX
        } else {
            jiff::Timestamp::MIN
        }))
    }

    /// Milliseconds since the Unix epoch.
    pub fn as_millis(self) -> i64 {
        self.0.as_millisecond()
    }

    /// Seconds from `self` to `later`, to the millisecond (0 if `later` is earlier).
    pub fn seconds_until(self, later: Timestamp) -> f64 {
        (later.as_millis() - self.as_millis()).max(0) as f64 / 1000.0
    }

    /// In the local time zone, as PE's `job show` printed it: `04/11/2018 06:44:31 PM`.
    pub fn local_display(self) -> String {
        let tz = jiff::tz::TimeZone::system();
        self.0
            .to_zoned(tz)
            .strftime("%m/%d/%Y %I:%M:%S %p")
            .to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"))
    }
}

/// Text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 timestamp: `{0}`")]
pub struct BadTimestamp(pub String);

impl FromStr for Timestamp {
    type Err = BadTimestamp;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<jiff::Timestamp>()
            .map(|t| Timestamp::from_millis(t.as_millisecond()))
            .map_err(|_| BadTimestamp(s.to_owned()))
    }
}

/// Text that is neither an RFC 3339 time nor an age.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is neither an RFC 3339 time (2026-12-03T09:00:00Z) nor an age such as 30m, 2h or 7d"
)]
pub struct BadTime(pub String);

/// A point in time as `job show --since` and `job prune --older-than` take it: an RFC 3339
/// time, or an age, that long before `now`: a whole number and a unit, `s`, `m`, `h`, `d`
/// (24 h) or `w` (`30m`, `2h`, `7d`).
pub fn parse_time_or_age(text: &str, now: Timestamp) -> Result<Timestamp, BadTime> {
    let bad = || BadTime(text.to_owned());
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let digits = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(digits);
    let seconds: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    let ms = number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds * 1000))
        .and_then(|age| now.as_millis().checked_sub(age))
        .ok_or_else(bad)?;
    Ok(Timestamp::from_millis(ms))
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A duration in seconds as PE printed it: `41 sec`, `2 min 5 sec`, `1 h 2 min 5 sec`.
pub fn format_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h} h {m} min {s} sec")
    } else if m > 0 {
        format!("{m} min {s} sec")
    } else {
        format!("{s} sec")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_milliseconds_round_trip() {
        let t = Timestamp::from_millis(1_796_288_400_123);
        assert_eq!(t.to_string(), "2026-12-03T09:00:00.123Z");
        assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
        assert!("yesterday".parse::<Timestamp>().is_err());
        assert!(Timestamp::from_millis(i64::MAX) > t);
        assert!(Timestamp::from_millis(i64::MIN) < Timestamp::from_millis(0));
    }

    #[test]
    fn times_and_ages() {
        let now = Timestamp::from_millis(1_796_288_400_000);
        let at = |text| parse_time_or_age(text, now).map(|t| t.to_string());
        assert_eq!(at("30m").unwrap(), "2026-12-03T08:30:00.000Z");
        assert_eq!(at("2h").unwrap(), "2026-12-03T07:00:00.000Z");
        assert_eq!(at("7d").unwrap(), "2026-11-26T09:00:00.000Z");
        assert_eq!(at("1w").unwrap(), "2026-11-26T09:00:00.000Z");
        assert_eq!(at("0s").unwrap(), "2026-12-03T09:00:00.000Z");
        assert_eq!(
            at("2026-01-02T03:04:05+01:00").unwrap(),
            "2026-01-02T02:04:05.000Z"
        );
        for bad in [
            "",
            "d",
            "30",
            "-3d",
            "3 d",
            "3D",
            "3dd",
            "yesterday",
            "99999999999999999999d",
            "9223372036854775807w",
        ] {
            assert_eq!(at(bad), Err(BadTime(bad.to_owned())), "{bad:?}");
        }
    }

    #[test]
    fn durations_read_as_pe_printed_them() {
        assert_eq!(format_duration(41.2), "41 sec");
        assert_eq!(format_duration(125.0), "2 min 5 sec");
        assert_eq!(format_duration(3725.0), "1 h 2 min 5 sec");
        assert_eq!(format_duration(-1.0), "0 sec");
    }
}
