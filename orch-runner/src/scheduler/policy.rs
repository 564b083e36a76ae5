//! How failures and rollout shape a job beyond its plan: the failure policy, thresholds
//! (`N` or `N%`), and the gates (batches, canaries, pauses) that hold nodes back until others
//! have ended.

use std::fmt;
use std::str::FromStr;

/// What a node's failure (or error) does to the rest of the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailurePolicy {
    /// Its dependents are skipped; independent branches go on (PE's behaviour).
    #[default]
    SkipDependents,
    /// The job stops at once, as the first stop request does.
    FailFast,
    /// Its dependents run anyway, and their events say so.
    Continue,
}

impl FailurePolicy {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FailurePolicy::SkipDependents => "skip-dependents",
            FailurePolicy::FailFast => "fail-fast",
            FailurePolicy::Continue => "continue",
        }
    }
}

impl FromStr for FailurePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "skip-dependents" => Ok(FailurePolicy::SkipDependents),
            "fail-fast" => Ok(FailurePolicy::FailFast),
            "continue" => Ok(FailurePolicy::Continue),
            _ => Err(format!(
                "`{s}` is not a failure policy: skip-dependents, fail-fast or continue"
            )),
        }
    }
}

/// A number of nodes, or a share of the job's nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// This many nodes.
    Count(usize),
    /// This percentage of the nodes (of the job, or of a level for batches).
    Percent(u32),
}

impl Threshold {
    /// The number of nodes out of `total`: a percentage rounds down (`10%` of 15 is 1).
    pub fn of(self, total: usize) -> usize {
        match self {
            Threshold::Count(n) => n,
            Threshold::Percent(p) => total * p as usize / 100,
        }
    }
}

impl FromStr for Threshold {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a number of nodes (N) or a percentage (N%)");
        match s.strip_suffix('%') {
            Some(p) => {
                let p: u32 = p.parse().map_err(|_| bad())?;
                if p > 100 {
                    return Err(format!("`{s}` is more than 100%"));
                }
                Ok(Threshold::Percent(p))
            }
            None => s.parse().map(Threshold::Count).map_err(|_| bad()),
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Count(n) => write!(f, "{n}"),
            Threshold::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// Holds `waiting` nodes back until every one of `members` has ended (in any state), and, for
/// a pause, until the operator lets `level` start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Gate {
    pub(super) members_left: usize,
    pub(super) waiting: Vec<usize>,
    /// A pause before this level.
    pub(super) pause_before: Option<usize>,
}

/// The gates of a job: `levels` are the node indices of each level in plan order.
pub(super) fn gates(
    levels: &[Vec<usize>],
    batch_size: Option<Threshold>,
    canary: Option<usize>,
    pause_between_levels: bool,
) -> Vec<(Vec<usize>, Gate)> {
    let mut gates = Vec::new();
    let mut gate = |members: Vec<usize>, waiting: Vec<usize>, pause_before: Option<usize>| {
        if !members.is_empty() && !waiting.is_empty() {
            let g = Gate {
                members_left: members.len(),
                waiting,
                pause_before,
            };
            gates.push((members, g));
        }
    };
    if let Some(size) = batch_size {
        for level in levels {
            // A batch holds at least one node, whatever the percentage.
            let size = size.of(level.len()).max(1);
            let batches: Vec<&[usize]> = level.chunks(size).collect();
            for pair in batches.windows(2) {
                gate(pair[0].to_vec(), pair[1].to_vec(), None);
            }
        }
    }
    let all: Vec<usize> = levels.iter().flatten().copied().collect();
    if let Some(n) = canary {
        let n = n.min(all.len());
        gate(all[..n].to_vec(), all[n..].to_vec(), None);
    }
    if pause_between_levels {
        for (l, pair) in levels.windows(2).enumerate() {
            gate(pair[0].clone(), pair[1].clone(), Some(l + 1));
        }
    }
    gates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_apply() {
        assert_eq!("3".parse(), Ok(Threshold::Count(3)));
        assert_eq!("25%".parse(), Ok(Threshold::Percent(25)));
        assert!("x".parse::<Threshold>().is_err());
        assert!("101%".parse::<Threshold>().is_err());
        assert_eq!(Threshold::Percent(10).of(15), 1);
        assert_eq!(Threshold::Percent(50).of(4), 2);
        assert_eq!("continue".parse(), Ok(FailurePolicy::Continue));
        assert!("sometimes".parse::<FailurePolicy>().is_err());
    }

    #[test]
    fn batches_chain_within_each_level() {
        let levels = vec![vec![0, 1, 2, 3, 4], vec![5]];
        let g = gates(&levels, Some(Threshold::Count(2)), None, false);
        let pairs: Vec<(Vec<usize>, Vec<usize>)> =
            g.into_iter().map(|(m, g)| (m, g.waiting)).collect();
        assert_eq!(
            pairs,
            [(vec![0, 1], vec![2, 3]), (vec![2, 3], vec![4])],
            "level 1 has one batch: no gate"
        );
    }
}
