//! Resource declarations: collected with their evaluated attributes, not applied.

use orch_parser::{AttributeOperation, Expr, ExprKind, ResourceBody};

use super::{Declared, EvalResult, Evaluator, err};
use crate::{ResourceRef, Value};

/// Attribute names and their values, in the order written.
type Attributes = Vec<(String, Value)>;

impl Evaluator<'_> {
    pub(super) fn declare(
        &mut self,
        type_name: &Expr,
        bodies: &[ResourceBody],
        e: &Expr,
    ) -> EvalResult<Value> {
        let tname = match &type_name.kind {
            ExprKind::QualifiedName(n) => n.as_str().to_lowercase(),
            ExprKind::QualifiedReference(n) => n.as_str().to_lowercase(),
            _ => match self.eval(type_name)? {
                Value::Str(s) => s.to_lowercase(),
                Value::Type(t, _) => t.to_lowercase(),
                other => {
                    return err(
                        format!("Illegal resource type: {}", other.type_name()),
                        self.loc(e),
                    );
                }
            },
        };
        // Puppet evaluates and checks each body's titles, then its attributes; a `default`
        // body's attributes apply to the others, below their own.
        let mut seen: Vec<Option<String>> = vec![];
        let mut evaluated: Vec<(&ResourceBody, Vec<String>, Attributes)> = vec![];
        let mut defaults: Option<(&ResourceBody, Attributes)> = None;
        for b in bodies {
            let (titles, is_default) = self.titles(b, &mut seen, e)?;
            let attributes = self.attribute_values(&b.operations)?;
            if let Some((name, _)) = attributes
                .iter()
                .enumerate()
                .find(|(i, (n, _))| attributes[..*i].iter().any(|(m, _)| m == n))
                .map(|(_, a)| a)
            {
                return err(
                    format!("Evaluation Error: The attribute '{name}' has already been set"),
                    self.loc(e),
                );
            }
            if is_default {
                defaults = Some((b, attributes.clone()));
            }
            evaluated.push((b, titles, attributes));
        }
        let mut refs = vec![];
        for (b, titles, own) in evaluated {
            let mut attributes = defaults.as_ref().map_or_else(Vec::new, |(_, d)| d.clone());
            for (name, value) in own {
                match attributes.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = value,
                    None => attributes.push((name, value)),
                }
            }
            let attribute_at: Vec<(String, crate::Location)> = attributes
                .iter()
                .filter_map(|(name, _)| {
                    let from = [Some(b), defaults.as_ref().map(|(d, _)| *d)];
                    from.into_iter().flatten().find_map(|body| {
                        body.operations.iter().find_map(|op| match op {
                            AttributeOperation::Attribute { name: n, span, .. } if n == name => {
                                Some((
                                    name.clone(),
                                    self.code.location(self.file, span.start as usize),
                                ))
                            }
                            _ => None,
                        })
                    })
                })
                .collect();
            for title in titles {
                let title = if tname == "class" {
                    title.trim_start_matches("::").to_lowercase()
                } else {
                    title
                };
                refs.push(Value::Ref(ResourceRef::new(&tname, title.clone())));
                self.declared.push(Declared {
                    type_name: tname.clone(),
                    title,
                    attributes: attributes.clone(),
                    attribute_at: attribute_at.clone(),
                    location: self.loc(&b.title),
                });
            }
        }
        // A resource expression's value is the array of what it declared.
        Ok(Value::Array(refs))
    }

    /// A body's titles, checked as Puppet checks them (and against the expression's earlier
    /// bodies); whether it is the `default` body, which declares nothing.
    fn titles(
        &mut self,
        b: &ResourceBody,
        seen: &mut Vec<Option<String>>,
        e: &Expr,
    ) -> EvalResult<(Vec<String>, bool)> {
        let title = self.eval(&b.title)?;
        if title == Value::Undef {
            return err(
                "Evaluation Error: Missing title. The title expression resulted in undef",
                self.loc(&b.title),
            );
        }
        let mut flat = vec![];
        let mut stack = vec![title];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a.into_iter().rev()),
                other => flat.push(other),
            }
        }
        let mut titles = vec![];
        let mut is_default = false;
        for (index, t) in flat.into_iter().enumerate() {
            let key = match t {
                Value::Undef => {
                    return err(
                        format!(
                            "Evaluation Error: Missing title at index {index}. The title expression resulted in an undef title"
                        ),
                        self.loc(&b.title),
                    );
                }
                Value::Str(s) if s.is_empty() => {
                    return err(
                        format!(
                            "Evaluation Error: Empty string title at {index}. Title strings must have a length greater than zero."
                        ),
                        self.loc(&b.title),
                    );
                }
                Value::Str(s) => Some(s),
                Value::Default => None,
                other => {
                    return err(
                        format!(
                            "Evaluation Error: Illegal title type at index {index}. Expected String, got {}",
                            super::types::generalized(&other)
                        ),
                        self.loc(&b.title),
                    );
                }
            };
            // Puppet compares the titles as written (a class's too).
            if seen.contains(&key) {
                return err(
                    format!(
                        "Evaluation Error: The title '{}' has already been used in this resource expression",
                        key.as_deref().unwrap_or("default")
                    ),
                    self.loc(e),
                );
            }
            seen.push(key.clone());
            match key {
                Some(s) => titles.push(s),
                None => is_default = true,
            }
        }
        Ok((titles, is_default))
    }

    pub(crate) fn attribute_values(
        &mut self,
        ops: &[AttributeOperation],
    ) -> EvalResult<Vec<(String, Value)>> {
        let mut out: Vec<(String, Value)> = vec![];
        for op in ops {
            match op {
                AttributeOperation::Attribute { name, value, .. } => {
                    let v = self.eval(value)?;
                    out.push((name.to_string(), v));
                }
                AttributeOperation::Splat { value, .. } => match self.eval(value)? {
                    Value::Hash(h) => {
                        for (k, v) in h {
                            out.push((k.to_string(), v));
                        }
                    }
                    other => {
                        let shown = match other {
                            Value::Undef => "Undef".to_string(),
                            v => super::types::generalized(&v),
                        };
                        return err(
                            format!("Expected value of type Hash, got {shown}"),
                            self.loc(value),
                        );
                    }
                },
            }
        }
        Ok(out)
    }
}
