//! PN as JSON (`puppet parser dump --format json`): calls become `{"^": [name, ...]}`, maps
//! `{"#": [k, v, ...]}`, written like Ruby's `JSON.dump` / `JSON.pretty_unparse`.

use super::pn::{Pn, PnLit, ruby_float};

/// Renders PN as JSON text, compact or pretty (Ruby's `pretty_unparse` layout).
pub(crate) fn format_json(pn: &Pn, pretty: bool, out: &mut String) {
    write(pn, if pretty { Some(0) } else { None }, out);
}

fn newline(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn array<'a>(
    items: impl ExactSizeIterator<Item = Json<'a>>,
    indent: Option<usize>,
    out: &mut String,
) {
    out.push('[');
    let n = items.len();
    if n == 0 {
        // Ruby's pretty generator writes an empty array as "[\n\n<indent>]".
        if let Some(level) = indent {
            out.push('\n');
            newline(out, level);
        }
        out.push(']');
        return;
    }
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(level) = indent {
            newline(out, level + 1);
        }
        item.write(indent.map(|l| l + 1), out);
    }
    if let Some(level) = indent {
        newline(out, level);
    }
    out.push(']');
}

fn object(key: &str, value: Json<'_>, indent: Option<usize>, out: &mut String) {
    out.push('{');
    if let Some(level) = indent {
        newline(out, level + 1);
    }
    string(key, out);
    out.push(':');
    if indent.is_some() {
        out.push(' ');
    }
    value.write(indent.map(|l| l + 1), out);
    if let Some(level) = indent {
        newline(out, level);
    }
    out.push('}');
}

/// The JSON data of a PN value (its `to_data`), borrowed.
enum Json<'a> {
    Pn(&'a Pn),
    Str(&'a str),
    CallData(&'a str, &'a [Pn]),
    MapData(&'a [(std::borrow::Cow<'static, str>, Pn)]),
}

impl Json<'_> {
    fn write(self, indent: Option<usize>, out: &mut String) {
        match self {
            Json::Pn(pn) => write(pn, indent, out),
            Json::Str(s) => string(s, out),
            Json::CallData(name, elements) => array(
                std::iter::once(Json::Str(name))
                    .chain(elements.iter().map(Json::Pn))
                    .collect::<Vec<_>>()
                    .into_iter(),
                indent,
                out,
            ),
            Json::MapData(entries) => array(
                entries
                    .iter()
                    .flat_map(|(k, v)| [Json::Str(k), Json::Pn(v)])
                    .collect::<Vec<_>>()
                    .into_iter(),
                indent,
                out,
            ),
        }
    }
}

fn write(pn: &Pn, indent: Option<usize>, out: &mut String) {
    match pn {
        Pn::Call(name, elements) => object("^", Json::CallData(name, elements), indent, out),
        Pn::Map(entries) => object("#", Json::MapData(entries), indent, out),
        Pn::List(items) => array(items.iter().map(Json::Pn), indent, out),
        Pn::Lit(l) => match l {
            PnLit::Nil => out.push_str("null"),
            PnLit::Str(s) => string(s, out),
            PnLit::Int(i) => out.push_str(&i.to_string()),
            PnLit::Float(f) => out.push_str(&ruby_float(*f)),
            PnLit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        },
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
