//! Puppet's function dispatch for the functions orch implements: each function's signatures as
//! Puppet 5.5 declares them (`dispatch` blocks: parameter types and names, the block), checked
//! before the function runs, with Puppet's `TypeMismatchDescriber` messages for a wrong count
//! (`'join' expects between 1 and 2 arguments, got 3`), a wrong type (`'split' parameter 'str'
//! expects a String value, got Integer`) or, with several signatures, `expects one of:`.

use super::Call;
use crate::Value;
use crate::eval::{EvalResult, Evaluator};

/// How many arguments a parameter takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Count {
    One,
    Optional,
    /// Any number, none included (`repeated_param`).
    Repeated,
}

/// One parameter: its type as Puppet writes it, its name, its count.
pub(super) struct Param(
    pub(super) &'static str,
    pub(super) &'static str,
    pub(super) Count,
);

/// Whether a signature takes a block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    No,
    Optional,
    Required,
}

/// One `dispatch` of a function.
pub(super) struct Signature {
    pub(super) params: &'static [Param],
    pub(super) block: Block,
}

/// Why a signature rejects the arguments.
#[derive(Clone, PartialEq)]
enum Rejection {
    /// The number of arguments is outside `(min, max)` (`None`: unlimited).
    Count(usize, Option<usize>),
    /// `parameter 'x' expects ...`.
    /// The parameter, its type as written, the description.
    Type {
        param: &'static str,
        expected: &'static str,
        text: String,
    },
    MissingBlock,
    UnexpectedBlock,
}

impl Rejection {
    fn text(&self, given: usize) -> String {
        match self {
            Rejection::Count(min, max) => count_text(*min, *max, given),
            Rejection::Type { param, text, .. } => format!(" parameter '{param}' {text}"),
            Rejection::MissingBlock => " expects a block".into(),
            Rejection::UnexpectedBlock => " does not expect a block".into(),
        }
    }
}

/// ` expects between 1 and 2 arguments, got 3` (Puppet's `CountMismatch`).
pub(crate) fn count_text(min: usize, max: Option<usize>, given: usize) -> String {
    let expected = match max {
        Some(max) if max == min => {
            if min == 0 {
                "no".to_string()
            } else {
                min.to_string()
            }
        }
        Some(max) if min == 0 => format!("at most {max}"),
        Some(max) => format!("between {min} and {max}"),
        None if min == 0 => "unlimited".to_string(),
        None => format!("at least {min}"),
    };
    let plural = !((min == 1 && max.is_none_or(|m| m == 1)) || (min == 0 && max == Some(1)));
    let got = if given == 0 {
        "none".to_string()
    } else {
        given.to_string()
    };
    format!(
        " expects {expected} argument{}, got {got}",
        if plural { "s" } else { "" }
    )
}

impl Signature {
    fn range(&self) -> (usize, Option<usize>) {
        let mut min = 0;
        let mut max = Some(0);
        for Param(_, _, count) in self.params {
            match count {
                Count::One => {
                    min += 1;
                    max = max.map(|m| m + 1);
                }
                Count::Optional => max = max.map(|m| m + 1),
                Count::Repeated => max = None,
            }
        }
        (min, max)
    }

    /// Puppet's `signature_string`: `String str, Regexp pattern`, `Any args*`.
    fn text(&self) -> String {
        let mut parts: Vec<String> = self
            .params
            .iter()
            .map(|Param(t, name, count)| {
                let mark = match count {
                    Count::One => "",
                    Count::Optional => "?",
                    Count::Repeated => "*",
                };
                format!("{t} {name}{mark}")
            })
            .collect();
        match self.block {
            Block::No => {}
            Block::Optional => parts.push("Callable block?".into()),
            Block::Required => parts.push("Callable block".into()),
        }
        parts.join(", ")
    }

    fn rejects(
        &self,
        ev: &mut Evaluator<'_>,
        args: &[Value],
        has_block: bool,
    ) -> Option<Rejection> {
        let (min, max) = self.range();
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            return Some(Rejection::Count(min, max));
        }
        for (i, a) in args.iter().enumerate() {
            let Param(t, name, _) = &self.params[i.min(self.params.len() - 1)];
            let Some(ty) = crate::eval::types::parse_type(t) else {
                continue;
            };
            if !ev.instance_of(a, &ty) {
                let text = ev.describe_mismatch(&ty, a);
                return Some(Rejection::Type {
                    param: name,
                    expected: t,
                    text,
                });
            }
        }
        match (self.block, has_block) {
            (Block::Required, false) => Some(Rejection::MissingBlock),
            (Block::No, true) => Some(Rejection::UnexpectedBlock),
            _ => None,
        }
    }
}

/// Which of `signatures` takes the call's arguments (its index), or Puppet's error at the call.
pub(super) fn dispatch(
    ev: &mut Evaluator<'_>,
    c: &Call<'_>,
    signatures: &[Signature],
    args: &[Value],
) -> EvalResult<usize> {
    let has_block = c.lambda.is_some();
    let mut rejections = Vec::with_capacity(signatures.len());
    for (i, s) in signatures.iter().enumerate() {
        match s.rejects(ev, args, has_block) {
            None => return Ok(i),
            Some(r) => rejections.push(r),
        }
    }
    let name = c.name;
    let given = args.len();
    // Puppet merges rejections of one kind at one place into one.
    let merged = if rejections.iter().all(|r| matches!(r, Rejection::Count(..))) {
        let min = rejections
            .iter()
            .filter_map(|r| match r {
                Rejection::Count(min, _) => Some(*min),
                _ => None,
            })
            .min();
        let max = rejections
            .iter()
            .map(|r| match r {
                Rejection::Count(_, max) => *max,
                _ => None,
            })
            .try_fold(0, |acc, m| m.map(|m| acc.max(m)));
        min.map(|min| Rejection::Count(min, max))
    } else if rejections.windows(2).all(|w| w[0] == w[1]) {
        rejections.first().cloned()
    } else {
        merged_types(&rejections)
    };
    let message = match merged {
        Some(r) => format!("'{name}'{}", r.text(given)),
        None => {
            let mut out = format!("'{name}' expects one of:");
            for (s, r) in signatures.iter().zip(&rejections) {
                out.push_str(&format!(
                    "\n  ({})\n    rejected:{}",
                    s.text(),
                    r.text(given)
                ));
            }
            out
        }
    };
    c.raise(ev, message)
}

/// Type rejections of one parameter in every signature: one, expecting any of their types.
fn merged_types(rejections: &[Rejection]) -> Option<Rejection> {
    let mut expected = vec![];
    let mut first: Option<(&'static str, &str)> = None;
    for r in rejections {
        let Rejection::Type {
            param,
            expected: t,
            text,
        } = r
        else {
            return None;
        };
        match first {
            Some((p, _)) if p != *param => return None,
            None => first = Some((param, text)),
            _ => {}
        }
        if !expected.contains(t) {
            expected.push(*t);
        }
    }
    let (param, text) = first?;
    let got = text.rsplit_once(", got ").map_or("", |(_, g)| g);
    let list = match expected.len() {
        1 => expected[0].to_string(),
        2 => format!("{} or {}", expected[0], expected[1]),
        n => format!("{}, or {}", expected[..n - 1].join(", "), expected[n - 1]),
    };
    Some(Rejection::Type {
        param,
        expected: "",
        text: format!("expects a value of type {list}, got {got}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_as_puppet_words_them() {
        assert_eq!(
            count_text(1, Some(2), 3),
            " expects between 1 and 2 arguments, got 3"
        );
        assert_eq!(count_text(1, Some(1), 2), " expects 1 argument, got 2");
        assert_eq!(count_text(2, Some(2), 0), " expects 2 arguments, got none");
        assert_eq!(
            count_text(1, None, 0),
            " expects at least 1 argument, got none"
        );
        assert_eq!(
            count_text(0, Some(1), 2),
            " expects at most 1 argument, got 2"
        );
    }
}
