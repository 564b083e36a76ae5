//! The errors of Ruby's JSON parser (the `json` gem 2.6.1 that Puppet 7.23 runs with), for the
//! `json` heredoc syntax check: `JSON.parse(text)` fails with `NNN: unexpected token at 'REST'`,
//! where `NNN` is the line of the gem's C source that raised and `REST` the text from where its
//! state machine stopped. The functions below follow the gem's Ragel machines (`parser.rl`) to
//! stop where they stop.

/// Why `JSON.parse` failed: its message.
pub(super) fn parse_error(text: &str) -> Option<String> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
    };
    p.document().err().map(|e| e.message(text))
}

/// The gem's errors.
enum Error {
    /// `LINE: unexpected token at 'REST'`; `None` when the gem reads before the text (a leading
    /// `Infinity`), which shows as an empty rest.
    Unexpected(u32, Option<usize>),
    /// `LINE: incomplete surrogate pair at 'REST'`.
    Surrogate(usize),
    /// `nesting of N is too deep`.
    Nesting(usize),
}

impl Error {
    fn message(&self, text: &str) -> String {
        let rest = |at: usize| text.get(at..).unwrap_or("");
        match self {
            Error::Unexpected(line, at) => {
                format!("{line}: unexpected token at '{}'", at.map_or("", rest))
            }
            Error::Surrogate(at) => format!("521: incomplete surrogate pair at '{}'", rest(*at)),
            Error::Nesting(n) => format!("nesting of {n} is too deep"),
        }
    }
}

// The lines of the gem's `parser.c` the errors come from.
const LINE_NAN: u32 = 225;
const LINE_INFINITY: u32 = 232;
const LINE_MINUS_INFINITY: u32 = 249;
const LINE_ARRAY: u32 = 451;
const LINE_DOCUMENT: u32 = 859;

const MAX_NESTING: usize = 100;

/// Where a machine stopped: `Ok(next)` after a value, `Err` for a raised error, and for the
/// value machines `Ok(None)` when they did not match (the caller reports).
type Step = Result<Option<usize>, Error>;

struct Parser<'t> {
    s: &'t [u8],
    text: &'t str,
}

fn begins_value(c: u8) -> bool {
    matches!(
        c,
        b'n' | b'f' | b't' | b'"' | b'-' | b'[' | b'{' | b'N' | b'I'
    ) || c.is_ascii_digit()
}

impl Parser<'_> {
    /// `ignore*`: blanks and comments. `Err(at)` when a comment is malformed at `at` (or
    /// unterminated: `at` is the end).
    fn ignore(&self, mut p: usize) -> Result<usize, usize> {
        let s = self.s;
        loop {
            match s.get(p) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => p += 1,
                Some(b'/') => match s.get(p + 1) {
                    Some(b'*') => match self.text[p + 2..].find("*/") {
                        Some(i) => p = p + 2 + i + 2,
                        None => return Err(s.len()),
                    },
                    Some(b'/') => match self.text[p + 2..].find('\n') {
                        Some(i) => p = p + 2 + i + 1,
                        None => return Err(s.len()),
                    },
                    Some(_) => return Err(p + 1),
                    None => return Err(s.len()),
                },
                _ => return Ok(p),
            }
        }
    }

    /// The `JSON` machine: `ignore* value ignore*`, to the end.
    fn document(&mut self) -> Result<(), Error> {
        let err = |at: usize| Error::Unexpected(LINE_DOCUMENT, Some(at));
        let p = self.ignore(0).map_err(err)?;
        if p >= self.s.len() || !begins_value(self.s[p]) {
            return Err(err(p));
        }
        let p = match self.value(p, 0)? {
            Some(np) => np,
            None => return Err(err(p)),
        };
        let p = self.ignore(p).map_err(err)?;
        if p != self.s.len() {
            return Err(err(p));
        }
        Ok(())
    }

    /// `JSON_parse_value` at a character that begins a value.
    fn value(&mut self, p: usize, nesting: usize) -> Step {
        let s = self.s;
        let word = |w: &[u8]| s[p..].starts_with(w);
        match s[p] {
            b'n' => Ok(word(b"null").then_some(p + 4)),
            b't' => Ok(word(b"true").then_some(p + 4)),
            b'f' => Ok(word(b"false").then_some(p + 5)),
            b'N' if word(b"NaN") => Err(Error::Unexpected(LINE_NAN, Some(p))),
            // The gem shows the text from one character before `Infinity`.
            b'I' if word(b"Infinity") => Err(Error::Unexpected(LINE_INFINITY, p.checked_sub(1))),
            b'N' | b'I' => Ok(None),
            b'"' => self.string(p),
            b'[' => self.array(p, nesting + 1),
            b'{' => self.object(p, nesting + 1),
            _ => {
                if s[p..].starts_with(b"-Infinity") && s.len() > p + 8 {
                    return Err(Error::Unexpected(LINE_MINUS_INFINITY, Some(p)));
                }
                // A number: a float, else an integer; else the value machine stops at the
                // number, in a final state (the caller goes on from there).
                Ok(Some(self.float(p).or_else(|| self.integer(p)).unwrap_or(p)))
            }
        }
    }

    /// `'-'? ('0' | [1-9][0-9]*)`: the end of the digits.
    fn int_part(&self, mut p: usize) -> Option<usize> {
        let s = self.s;
        if s.get(p) == Some(&b'-') {
            p += 1;
        }
        match s.get(p) {
            Some(b'0') => Some(p + 1),
            Some(b'1'..=b'9') => {
                p += 1;
                while s.get(p).is_some_and(u8::is_ascii_digit) {
                    p += 1;
                }
                Some(p)
            }
            _ => None,
        }
    }

    /// `JSON_integer`: the integer must not be followed by a digit.
    fn integer(&self, p: usize) -> Option<usize> {
        let end = self.int_part(p)?;
        (!self.s.get(end).is_some_and(u8::is_ascii_digit)).then_some(end)
    }

    /// `JSON_float`: a fraction and/or an exponent, not followed by `[0-9Ee.-]`.
    fn float(&self, p: usize) -> Option<usize> {
        let s = self.s;
        let digits = |mut q: usize| {
            let start = q;
            while s.get(q).is_some_and(u8::is_ascii_digit) {
                q += 1;
            }
            (q > start).then_some(q)
        };
        let mut q = self.int_part(p)?;
        let mut is_float = false;
        if s.get(q) == Some(&b'.') {
            q = digits(q + 1)?;
            is_float = true;
        }
        if matches!(s.get(q), Some(b'e' | b'E')) {
            let mut r = q + 1;
            if matches!(s.get(r), Some(b'+' | b'-')) {
                r += 1;
            }
            q = digits(r)?;
            is_float = true;
        }
        let stop = s
            .get(q)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'E' | b'e' | b'.' | b'-'));
        (is_float && !stop).then_some(q)
    }

    /// `JSON_string`: `Ok(None)` when malformed.
    fn string(&self, p: usize) -> Step {
        let s = self.s;
        let mut q = p + 1;
        loop {
            match s.get(q) {
                None => return Ok(None),
                Some(b'"') => break,
                Some(b'\\') => match s.get(q + 1) {
                    Some(b'u') => {
                        let hex = s.get(q + 2..q + 6);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return Ok(None);
                        }
                        q += 6;
                    }
                    Some(c) if *c >= 0x20 => q += 2,
                    _ => return Ok(None),
                },
                Some(c) if *c < 0x20 => return Ok(None),
                Some(_) => q += 1,
            }
        }
        self.unescape(p + 1, q)?;
        Ok(Some(q + 1))
    }

    /// `json_string_unescape`: only its error (a high surrogate without room for a low one).
    fn unescape(&self, start: usize, end: usize) -> Result<(), Error> {
        let s = self.s;
        // `p`: the start of the text not yet copied (where the gem's message starts).
        let mut p = start;
        let mut pe = start;
        while pe < end {
            if s[pe] != b'\\' {
                pe += 1;
                continue;
            }
            pe += 1;
            match s[pe] {
                b'n' | b'r' | b't' | b'"' | b'\\' | b'b' | b'f' => {}
                b'u' => {
                    pe += 1;
                    let ch = self
                        .text
                        .get(pe..pe + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .unwrap_or(0xFFFD);
                    pe += 3;
                    if ch & 0xFC00 == 0xD800 {
                        pe += 1;
                        if pe + 6 > end {
                            return Err(Error::Surrogate(p));
                        }
                        if s[pe] == b'\\' && s[pe + 1] == b'u' {
                            pe += 5;
                        }
                    }
                }
                _ => {
                    p = pe;
                    continue;
                }
            }
            pe += 1;
            p = pe;
        }
        Ok(())
    }

    /// `JSON_array`: raises where it stops unless it ends with `]`.
    fn array(&mut self, p: usize, nesting: usize) -> Step {
        if nesting > MAX_NESTING {
            return Err(Error::Nesting(nesting));
        }
        let err = |at: usize| Error::Unexpected(LINE_ARRAY, Some(at));
        let s = self.s;
        let mut q = self.ignore(p + 1).map_err(err)?;
        if s.get(q) == Some(&b']') {
            return Ok(Some(q + 1));
        }
        loop {
            match s.get(q) {
                Some(c) if begins_value(*c) => match self.value(q, nesting)? {
                    Some(np) => q = np,
                    None => return Err(err(q)),
                },
                _ => return Err(err(q)),
            }
            q = self.ignore(q).map_err(err)?;
            match s.get(q) {
                Some(b']') => return Ok(Some(q + 1)),
                Some(b',') => q = self.ignore(q + 1).map_err(err)?,
                _ => return Err(err(q)),
            }
        }
    }

    /// `JSON_object`: `Ok(None)` (the caller reports) unless it ends with `}`.
    fn object(&mut self, p: usize, nesting: usize) -> Step {
        if nesting > MAX_NESTING {
            return Err(Error::Nesting(nesting));
        }
        let s = self.s;
        let Ok(mut q) = self.ignore(p + 1) else {
            return Ok(None);
        };
        if s.get(q) == Some(&b'}') {
            return Ok(Some(q + 1));
        }
        loop {
            if s.get(q) != Some(&b'"') {
                return Ok(None);
            }
            match self.string(q)? {
                Some(np) => q = np,
                None => return Ok(None),
            }
            let Ok(r) = self.ignore(q) else {
                return Ok(None);
            };
            if s.get(r) != Some(&b':') {
                return Ok(None);
            }
            let Ok(r) = self.ignore(r + 1) else {
                return Ok(None);
            };
            match s.get(r) {
                Some(c) if begins_value(*c) => match self.value(r, nesting)? {
                    Some(np) => q = np,
                    None => return Ok(None),
                },
                _ => return Ok(None),
            }
            let Ok(r) = self.ignore(q) else {
                return Ok(None);
            };
            match s.get(r) {
                Some(b'}') => return Ok(Some(r + 1)),
                Some(b',') => match self.ignore(r + 1) {
                    Ok(r) => q = r,
                    Err(_) => return Ok(None),
                },
                _ => return Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_error;

    #[test]
    fn errors_are_ruby_json_2_6_1_errors() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "{\"a\":\"x\ty\"}\n",
                Some("859: unexpected token at '{\"a\":\"x\ty\"}\n'"),
            ),
            ("", Some("859: unexpected token at ''")),
            ("  ", Some("859: unexpected token at ''")),
            ("{", Some("859: unexpected token at '{'")),
            ("[1,2", Some("451: unexpected token at ''")),
            ("[1,]", Some("451: unexpected token at ']'")),
            ("{\"a\" 1}", Some("859: unexpected token at '{\"a\" 1}'")),
            ("nul", Some("859: unexpected token at 'nul'")),
            ("1 2", Some("859: unexpected token at '2'")),
            ("[1] x", Some("859: unexpected token at 'x'")),
            ("{\"a\":1,}", Some("859: unexpected token at '{\"a\":1,}'")),
            ("\"abc", Some("859: unexpected token at '\"abc'")),
            ("[\"a\\q\"]", None),
            (
                "{\"a\":[1,{\"b\":tru}]}",
                Some("451: unexpected token at '{\"b\":tru}]}'"),
            ),
            ("[1,\n 2,\n x]", Some("451: unexpected token at 'x]'")),
            ("01", Some("859: unexpected token at '01'")),
            ("[01]", Some("451: unexpected token at '01]'")),
            ("-", Some("859: unexpected token at '-'")),
            ("[1.]", Some("451: unexpected token at '.]'")),
            ("/*c*/ 1", None),
            ("NaN", Some("225: unexpected token at 'NaN'")),
            ("[NaN]", Some("225: unexpected token at 'NaN]'")),
            ("\"a\"", None),
            ("1", None),
            ("null", None),
            ("Infinity", Some("232: unexpected token at ''")),
            ("[Infinity]", Some("232: unexpected token at '[Infinity]'")),
            ("[-Infinity]", Some("249: unexpected token at '-Infinity]'")),
            ("[\"\\u12\"]", Some("451: unexpected token at '\"\\u12\"]'")),
            (
                "[\"\\ud800\"]",
                Some("521: incomplete surrogate pair at '\\ud800\"]'"),
            ),
            ("[1 2]", Some("451: unexpected token at '2]'")),
            ("[1,,2]", Some("451: unexpected token at ',2]'")),
            ("/x", Some("859: unexpected token at 'x'")),
            ("[1] /* a", Some("859: unexpected token at ''")),
            ("[1] // a", Some("859: unexpected token at ''")),
            ("{\"a\":[1,]}", Some("451: unexpected token at ']}'")),
            ("{\"a\":-}", Some("859: unexpected token at '{\"a\":-}'")),
            ("[-]", Some("451: unexpected token at '-]'")),
            ("[1.5e]", Some("451: unexpected token at '.5e]'")),
            ("[1e5]", None),
            ("[-0]", None),
            ("[-01]", Some("451: unexpected token at '-01]'")),
            ("[\"a\tb\"]", Some("451: unexpected token at '\"a\tb\"]'")),
            ("{ }", None),
            ("[1,2,]", Some("451: unexpected token at ']'")),
            ("{\"a\": {\"b\": [true, false, null, -1.5e3]}}", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_error(text).as_deref(), *want, "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(101), "]".repeat(101));
        assert_eq!(
            parse_error(&deep).as_deref(),
            Some("nesting of 101 is too deep")
        );
    }
}
