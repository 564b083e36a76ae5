//! Resource declarations: collected with their evaluated attributes, not applied.

use orch_parser::{AttributeOperation, Expr, ExprKind, ResourceBody};

use super::{Declared, EvalResult, Evaluator, err};
use crate::{ResourceRef, Value};

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
        let mut refs = vec![];
        for b in bodies {
            let title = self.eval(&b.title)?;
            let attributes = self.attribute_values(&b.operations)?;
            let titles = match title {
                Value::Array(a) => a,
                other => vec![other],
            };
            for t in titles {
                let title = match t {
                    Value::Str(s) => s,
                    Value::Type(name, _) if tname == "class" => name.to_lowercase(),
                    Value::Undef => {
                        return err(
                            "Missing title. The title expression resulted in undef",
                            self.loc(&b.title),
                        );
                    }
                    other => other.to_string(),
                };
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
                    attribute_at: b
                        .operations
                        .iter()
                        .filter_map(|op| match op {
                            AttributeOperation::Attribute { name, span, .. } => Some((
                                name.to_string(),
                                self.code.location(self.file, span.start as usize),
                            )),
                            AttributeOperation::Splat { .. } => None,
                        })
                        .collect(),
                    location: self.loc(&b.title),
                });
            }
        }
        Ok(if refs.len() == 1 {
            refs.pop().expect("one")
        } else {
            Value::Array(refs)
        })
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
                    Value::Undef => {}
                    other => {
                        return err(
                            format!(
                                "The value of '* =>' must be a Hash, got {}",
                                other.type_name()
                            ),
                            self.loc(value),
                        );
                    }
                },
            }
        }
        Ok(out)
    }
}
