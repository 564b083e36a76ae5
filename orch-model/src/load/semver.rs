//! Module versions and version requirements as Puppet reads them in metadata.json
//! (SemanticPuppet's `Version` and `VersionRange`): `1.2.3`, `>= 1.0.0 < 2.0.0`, `1.x`, `~1.2`,
//! `^2.1`, `1.0.0 - 2.0.0`, alternatives joined by `||`. Only whether a version is in a range
//! is needed: it decides Puppet's warning about a module's unresolved dependencies.

use std::cmp::Ordering;

/// `major.minor.patch[-prerelease][+build]` (build ignored, as in comparisons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    triple: (u64, u64, u64),
    prerelease: Option<Vec<String>>,
}

impl Version {
    fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            triple: (major, minor, patch),
            prerelease: None,
        }
    }

    /// A full semantic version, or `None` (Puppet: not a semantic version).
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let (parts, pre) = split_qualifier(text)?;
        let nums: Vec<u64> = parts.split('.').map(number).collect::<Option<Vec<u64>>>()?;
        let [major, minor, patch] = nums[..] else {
            return None;
        };
        Some(Version {
            triple: (major, minor, patch),
            prerelease: pre,
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.triple
            .cmp(&other.triple)
            .then_with(|| match (&self.prerelease, &other.prerelease) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => compare_prerelease(a, b),
            })
    }
}

/// Numeric identifiers numerically and before alphanumeric ones; a shorter list first.
fn compare_prerelease(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// `0` or a number without a leading zero.
fn number(s: &str) -> Option<u64> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

/// `1.2.3-rc.1+b5` → (`1.2.3`, `rc.1`); identifiers are `[0-9A-Za-z-]+`.
fn split_qualifier(text: &str) -> Option<(&str, Option<Vec<String>>)> {
    let (rest, build) = match text.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (text, None),
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if build.is_some_and(|b| !b.split('.').all(ident)) {
        return None;
    }
    match rest.split_once('-') {
        Some((nums, pre)) => {
            let ids: Vec<&str> = pre.split('.').collect();
            // Numeric pre-release identifiers have no leading zero.
            if !ids
                .iter()
                .all(|i| ident(i) && (number(i).is_some() || i.parse::<u64>().is_err()))
            {
                return None;
            }
            Some((nums, Some(ids.into_iter().map(str::to_string).collect())))
        }
        None => Some((rest, None)),
    }
}

/// One comparison of a range.
#[derive(Debug, Clone)]
enum Bound {
    All,
    Nothing,
    Eq(Version),
    Gt(Version),
    Ge(Version),
    Lt(Version),
    Le(Version),
}

impl Bound {
    fn includes(&self, v: &Version) -> bool {
        match self {
            Bound::All => true,
            Bound::Nothing => false,
            Bound::Eq(b) => v == b,
            Bound::Gt(b) => v > b,
            Bound::Ge(b) => v >= b,
            Bound::Lt(b) => v < b,
            Bound::Le(b) => v <= b,
        }
    }

    /// A pre-release is in a range only where a bound names a pre-release of its triple.
    fn admits_prerelease_of(&self, v: &Version) -> bool {
        match self {
            Bound::Eq(b) | Bound::Gt(b) | Bound::Ge(b) | Bound::Lt(b) | Bound::Le(b) => {
                b.prerelease.is_some() && b.triple == v.triple
            }
            Bound::All | Bound::Nothing => false,
        }
    }
}

/// Alternatives (`||`), each the bounds a version must all be within.
#[derive(Debug, Clone)]
pub(crate) struct Range(Vec<Vec<Bound>>);

/// A partial version: `1`, `1.2`, `1.x`, `1.2.3-rc1`; `None` parts are `x`, `X`, `*` or absent.
struct Partial {
    parts: [Option<u64>; 3],
    prerelease: Option<Vec<String>>,
}

impl Partial {
    fn parse(text: &str) -> Option<Partial> {
        let (nums, prerelease) = split_qualifier(text)?;
        let parts: Vec<&str> = nums.split('.').collect();
        if parts.len() > 3 || (prerelease.is_some() && parts.len() < 3) {
            return None;
        }
        let mut out = [None; 3];
        for (i, p) in parts.iter().enumerate() {
            out[i] = match *p {
                "x" | "X" | "*" => None,
                n => Some(number(n)?),
            };
        }
        Some(Partial {
            parts: out,
            prerelease,
        })
    }

    /// Missing parts as 0.
    fn version(&self) -> Version {
        let [a, b, c] = self.parts.map(|p| p.unwrap_or(0));
        Version {
            triple: (a, b, c),
            prerelease: self.prerelease.clone(),
        }
    }
}

impl Range {
    /// SemanticPuppet's `VersionRange.parse`; `None` when it is not a range.
    pub(crate) fn parse(text: &str) -> Option<Range> {
        let normal = join_operators(text);
        let mut alternatives = vec![];
        for alt in normal.split("||").map(str::trim) {
            if alt.is_empty() {
                continue;
            }
            let words: Vec<&str> = alt.split_whitespace().collect();
            let bounds = if let [low, "-", high] = words[..] {
                let (low, high) = (Partial::parse(low)?, Partial::parse(high)?);
                vec![Bound::Ge(low.version()), Bound::Le(high.version())]
            } else {
                words
                    .iter()
                    .map(|w| simple(w))
                    .collect::<Option<Vec<_>>>()?
                    .concat()
            };
            alternatives.push(bounds);
        }
        if alternatives.is_empty() {
            alternatives.push(vec![Bound::All]);
        }
        Some(Range(alternatives))
    }

    pub(crate) fn includes(&self, v: &Version) -> bool {
        self.0.iter().any(|bounds| {
            bounds.iter().all(|b| b.includes(v))
                && (v.prerelease.is_none() || bounds.iter().any(|b| b.admits_prerelease_of(v)))
        })
    }
}

/// `>= 1.0`, `> v1` → `>=1.0`, `>1`: an operator and its version as one word.
fn join_operators(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        // Ruby's `gsub(/([><=~^])(?:\s+|\s*v)/, '\1')`: the spaces after an operator, or else
        // a `v`.
        if matches!(c, '>' | '<' | '=' | '~' | '^') {
            if chars.peek().is_some_and(|c| c.is_whitespace()) {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            } else if chars.peek() == Some(&'v') {
                chars.next();
            }
        }
    }
    out
}

/// One `[op]partial` word.
fn simple(word: &str) -> Option<Vec<Bound>> {
    let ops = ["~>", "~=", "<=", ">=", "<", ">", "=", "~", "^"];
    let (op, rest) = ops
        .iter()
        .find_map(|op| word.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("", word));
    let p = Partial::parse(rest)?;
    let [major, minor, patch] = p.parts;
    let below = |v: Version| vec![Bound::Lt(v)];
    let between = |low: Version, high: Version| vec![Bound::Ge(low), Bound::Lt(high)];
    Some(match op {
        "" | "=" | "~" | "~>" | "~=" => match (major, minor, patch) {
            (None, ..) => vec![Bound::All],
            (Some(a), None, _) => between(Version::new(a, 0, 0), Version::new(a + 1, 0, 0)),
            (Some(a), Some(b), None) => between(Version::new(a, b, 0), Version::new(a, b + 1, 0)),
            (Some(_), Some(_), Some(_)) if matches!(op, "" | "=") => vec![Bound::Eq(p.version())],
            (Some(a), Some(b), Some(_)) => between(p.version(), Version::new(a, b + 1, 0)),
        },
        "^" => match (major, minor) {
            (Some(0), _) => return simple(&format!("~{rest}")),
            (None, _) => vec![Bound::All],
            (Some(a), None) => between(Version::new(a, 0, 0), Version::new(a + 1, 0, 0)),
            (Some(a), Some(_)) => between(p.version(), Version::new(a + 1, 0, 0)),
        },
        ">" => match (major, minor, patch) {
            (None, ..) => vec![Bound::Nothing],
            (Some(a), None, _) => vec![Bound::Ge(Version::new(a + 1, 0, 0))],
            (Some(a), Some(b), None) => vec![Bound::Ge(Version::new(a, b + 1, 0))],
            _ => vec![Bound::Gt(p.version())],
        },
        ">=" => vec![Bound::Ge(p.version())],
        "<" => below(p.version()),
        _ => match (major, minor, patch) {
            (None, ..) => vec![Bound::All],
            (Some(a), None, _) => below(Version::new(a + 1, 0, 0)),
            (Some(a), Some(b), None) => below(Version::new(a, b + 1, 0)),
            _ => vec![Bound::Le(p.version())],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(range: &str, version: &str) -> bool {
        let r = Range::parse(range).expect("range");
        r.includes(&Version::parse(version).expect("version"))
    }

    #[test]
    fn ranges_as_semantic_puppet_reads_them() {
        assert!(inside(">= 1.0.0 < 2.0.0", "1.9.3"));
        assert!(!inside(">= 1.0.0 < 2.0.0", "2.0.0"));
        assert!(inside(">=4.13.1 <9.0.0", "5.2.0"));
        assert!(inside("1.x", "1.4.0") && !inside("1.x", "2.0.0"));
        assert!(inside("1.2", "1.2.9") && !inside("1.2", "1.3.0"));
        assert!(inside("1.2.3", "1.2.3") && !inside("1.2.3", "1.2.4"));
        assert!(inside("~1.2.3", "1.2.9") && !inside("~1.2.3", "1.3.0"));
        assert!(inside("^1.2.3", "1.9.0") && !inside("^1.2.3", "2.0.0"));
        assert!(inside("^0.2.3", "0.2.5") && !inside("^0.2.3", "0.3.0"));
        assert!(inside("> 1", "2.0.0") && !inside("> 1", "1.9.9"));
        assert!(inside("<= 1.2", "1.2.7") && !inside("<= 1.2", "1.3.0"));
        assert!(inside("1.0.0 - 2.0.0", "2.0.0") && !inside("1.0.0 - 2.0.0", "2.0.1"));
        assert!(inside("<1.0.0 || >= 3", "3.1.0") && !inside("<1.0.0 || >= 3", "2.0.0"));
        assert!(inside(">=v1.0.0", "1.0.0"));
        assert!(inside("", "0.0.1") && inside("*", "7.0.0"));
        // A pre-release only where the range names one of its triple.
        assert!(!inside(">= 1.0.0", "2.0.0-rc1"));
        assert!(inside(">= 2.0.0-rc0", "2.0.0-rc1"));
    }

    #[test]
    fn what_is_not_a_version_or_range() {
        for v in ["1.0", "01.0.0", "1.0.0.0", "v1.0.0", "x", "1.0.0-01"] {
            assert!(Version::parse(v).is_none(), "{v}");
        }
        for r in ["abc", ">= a.b", "1.2.3.4", "=> 1.0", ">= v1.0.0"] {
            assert!(Range::parse(r).is_none(), "{r}");
        }
    }
}
