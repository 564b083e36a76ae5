//! The lexer: Puppet source text to tokens, following `lexer2.rb` (Puppet 5.5.22) rule by rule,
//! including its context-sensitive decisions (regex or division, `[` list start or access, `(`
//! at line start, `{` after `?`), string interpolation and heredocs.
//!
//! The whole input is lexed up front. A lexical error ends the token stream with a
//! [`Tok::LexError`] token, so that the parser reports a syntax error that comes earlier in the
//! file first, as Puppet's pull lexer does.

use crate::ast::Str;
use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::{delimited, pair};
use std::borrow::Cow;

use crate::error::LexErrorKind;
use crate::parser::MAX_NESTING;

/// Which Puppet language is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Puppet 5.5 (the default): `application`, `consumes`, `produces` and `site` are keywords
    /// of the application-orchestration constructs.
    #[default]
    Puppet5,
    /// Puppet 7: the four words are ordinary names (`class site {}` is legal); no
    /// orchestration constructs.
    Puppet7,
}

/// Token kinds (Puppet's token symbols).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub(crate) enum Tok {
    LBrack,
    ListStart,
    RBrack,
    LBrace,
    SelBrace,
    RBrace,
    LParen,
    WsLParen,
    RParen,
    Equals,
    Appends,
    Deletes,
    IsEqual,
    NotEqual,
    Match,
    NoMatch,
    GreaterEqual,
    GreaterThan,
    LessEqual,
    LessThan,
    FArrow,
    PArrow,
    LShift,
    LLCollect,
    LCollect,
    RShift,
    RRCollect,
    RCollect,
    Plus,
    Minus,
    Div,
    Times,
    Modulo,
    Not,
    Dot,
    Pipe,
    At,
    AtAt,
    Colon,
    Comma,
    Semic,
    QMark,
    Tilde,
    InEdge,
    InEdgeSub,
    OutEdge,
    OutEdgeSub,
    String,
    Word,
    DqPre,
    DqMid,
    DqPost,
    Number,
    Variable,
    /// `${true}`/`${false}`: a variable whose name Puppet keeps as a boolean.
    BoolVariable,
    Name,
    ClassRef,
    Regex,
    Heredoc,
    Boolean,
    Case,
    Class,
    Default,
    Define,
    If,
    Elsif,
    Else,
    Inherits,
    Node,
    And,
    Or,
    Undef,
    In,
    Unless,
    Function,
    Type,
    Attr,
    Private,
    Application,
    Consumes,
    Produces,
    Site,
    /// An unrecognised character.
    Other,
    /// End of the token stream because of a lexical error (see [`Lexed::error`]).
    LexError,
    /// End of input.
    Eof,
}

impl Tok {
    /// True for the tokens of the grammar's `keyword` rule (valid attribute names). `true` and
    /// `false` are not among them.
    pub(crate) fn is_keyword(self) -> bool {
        use Tok::*;
        matches!(
            self,
            Case | Class
                | Default
                | Define
                | If
                | Elsif
                | Else
                | Inherits
                | Node
                | And
                | Or
                | Undef
                | In
                | Unless
                | Function
                | Type
                | Attr
                | Private
                | Application
                | Consumes
                | Produces
                | Site
        )
    }
}

fn keyword(word: &str) -> Option<Tok> {
    // Every name goes through here: select the one candidate by length and first letter, then
    // compare once.
    let b = word.as_bytes();
    let (candidate, tok) = match (b.len(), *b.first()?) {
        (2, b'i') => match b[1] {
            b'f' => ("if", Tok::If),
            _ => ("in", Tok::In),
        },
        (2, b'o') => ("or", Tok::Or),
        (3, b'a') => ("and", Tok::And),
        (4, b'c') => ("case", Tok::Case),
        (4, b'e') => ("else", Tok::Else),
        (4, b'n') => ("node", Tok::Node),
        (4, b't') => match b[1] {
            b'r' => ("true", Tok::Boolean),
            _ => ("type", Tok::Type),
        },
        (4, b'a') => ("attr", Tok::Attr),
        (4, b's') => ("site", Tok::Site),
        (5, b'c') => ("class", Tok::Class),
        (5, b'e') => ("elsif", Tok::Elsif),
        (5, b'u') => ("undef", Tok::Undef),
        (5, b'f') => ("false", Tok::Boolean),
        (6, b'd') => ("define", Tok::Define),
        (6, b'u') => ("unless", Tok::Unless),
        (7, b'd') => ("default", Tok::Default),
        (7, b'p') => ("private", Tok::Private),
        (8, b'i') => ("inherits", Tok::Inherits),
        (8, b'f') => ("function", Tok::Function),
        (8, b'c') => ("consumes", Tok::Consumes),
        (8, b'p') => ("produces", Tok::Produces),
        (11, b'a') => ("application", Tok::Application),
        _ => return None,
    };
    // Byte by byte: a library compare costs more than these few bytes.
    let same = b.iter().zip(candidate.as_bytes()).all(|(x, y)| x == y);
    same.then_some(tok)
}

/// A token: kind, global byte span, and its value text when that differs from the source
/// (processed strings, variable names, heredoc syntax, text lexed from inside a heredoc).
/// Sixteen bytes: the few values live beside the tokens, in [`Lexed::values`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// Kind.
    pub kind: Tok,
    /// First byte in the file.
    pub start: u32,
    /// One past the last byte in the file.
    pub end: u32,
    /// The token's value when it is not simply `source[start..end]`: its index in the values,
    /// plus one; 0 for none.
    value: u32,
}

impl Token {
    fn new(kind: Tok, start: u32, end: u32) -> Token {
        Token {
            kind,
            start,
            end,
            value: 0,
        }
    }
}

/// The value of a token whose value is its source text: a variable's name without `$`, a
/// string without its quotes (when it has no escapes), else the text itself.
pub(crate) fn token_text(kind: Tok, slice: &str) -> &str {
    match kind {
        Tok::Variable => slice.get(1..).unwrap_or(""),
        Tok::String => slice.get(1..slice.len().saturating_sub(1)).unwrap_or(""),
        _ => slice,
    }
}

/// The result of lexing a file.
#[derive(Debug, Clone)]
pub(crate) struct Lexed {
    /// The dialect the text was lexed as.
    pub dialect: Dialect,
    /// The tokens, ending with [`Tok::Eof`] or [`Tok::LexError`].
    pub tokens: Vec<Token>,
    /// The tokens' values that are not their source text.
    values: Vec<Str>,
    /// The lexical error that ended the stream, with its byte offset.
    pub error: Option<(LexErrorKind, usize)>,
    /// Warnings (unrecognised escapes, ...), with byte offsets.
    pub warnings: Vec<(String, usize)>,
}

impl Lexed {
    /// A token's value, when it is not its source text.
    pub(crate) fn value(&self, t: &Token) -> Option<&str> {
        match t.value {
            0 => None,
            i => self.values.get(i as usize - 1).map(|v| &**v),
        }
    }
}

/// Escapes recognised in double-quoted strings.
const DQ_ESCAPES: &[&str] = &["\\", "$", "'", "\"", "r", "n", "t", "s", "u", "\r\n", "\n"];

/// Lexes a whole source text, `depth` levels deep already (see [`crate::parse_at`]).
pub(crate) fn lex(src: &str, dialect: Dialect, depth: u32) -> Lexed {
    let mut lexer = Lexer::new(src, None);
    lexer.dialect = dialect;
    lexer.depth = depth;
    if let Some(err) = bom_error(src.as_bytes()) {
        lexer.tokens.push(Token::new(Tok::LexError, 0, 0));
        return Lexed {
            dialect,
            tokens: lexer.tokens,
            values: lexer.values,
            error: Some((err, usize::MAX)),
            warnings: vec![],
        };
    }
    let res = lexer.run_main();
    lexer.finish(res)
}

fn bom_error(b: &[u8]) -> Option<LexErrorKind> {
    let (name, size) = match b {
        [0x00, 0x00, 0xFE, 0xFF, ..] | [0xFF, 0xFE, 0x00, 0x00, ..] => ("UTF-32", 4),
        [0x84, 0x31, 0x95, 0x33, ..] => ("GB-18030", 4),
        [0xDD, 0x73, 0x66, 0x73, ..] => ("UTF-EBCDIC", 4),
        [0x0E, 0xFE, 0xFF, _, ..] => ("SCSU", 3),
        [0xEF, 0xBB, 0xBF, _, ..] => ("UTF-8", 3),
        [0xF7, 0x64, 0x4C, _, ..] => ("UTF-1", 3),
        [0xFB, 0xEE, 0x28, _, ..] => ("BOCU", 3),
        [0xFE, 0xFF, _, _, ..] | [0xFF, 0xFE, _, _, ..] => ("UTF-16", 2),
        _ => return None,
    };
    let bytes = b[..size]
        .iter()
        .map(|x| format!("{x:X}"))
        .collect::<Vec<_>>()
        .join(" ");
    Some(LexErrorKind::IllegalBom {
        format: name.to_string(),
        bytes: format!("[{bytes}]"),
    })
}

/// Maps offsets in a heredoc's processed text back to the file.
#[derive(Debug, Clone)]
struct SubMap {
    /// Offset in the processed text where each line starts.
    text_line_starts: Vec<usize>,
    /// Offset in the file where each line starts, after its removed margin.
    file_line_starts: Vec<usize>,
}

impl SubMap {
    fn to_global(&self, off: usize) -> usize {
        let i = match self.text_line_starts.binary_search(&off) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        match (self.text_line_starts.get(i), self.file_line_starts.get(i)) {
            (Some(t), Some(f)) => f + (off - t),
            _ => self.file_line_starts.last().copied().unwrap_or(0),
        }
    }
}

type LexResult<T> = Result<T, (LexErrorKind, usize)>;

/// The two kinds of interpolated text.
#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    /// A double-quoted string.
    Double,
    /// A heredoc's text (ends at the end of the text).
    Heredoc,
}

/// Which kind of unquoted text a heredoc holds.
#[derive(Clone, Copy, PartialEq)]
enum UqMode {
    /// No interpolation: the whole text is one string.
    All,
    /// Interpolation, `$` escapable.
    Escaped,
    /// Interpolation, `$` not escapable.
    NoEscape,
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    values: Vec<Str>,
    warnings: Vec<(String, usize)>,
    brace_count: i64,
    line_lexical_start: usize,
    newline_jump: Option<usize>,
    /// For heredoc sub-lexers: maps local offsets to file offsets.
    map: Option<SubMap>,
    /// Escapes for unquoted (heredoc) text.
    uq_escapes: Vec<&'static str>,
    uq_mode: UqMode,
    /// Set when an error came from a heredoc sub-lexer: its offset in the file.
    err_global: Option<usize>,
    dialect: Dialect,
    /// What Puppet's scanner last matched, as far as an unclosed string's message shows it.
    /// (A byte range of this lexer's text.)
    last_match: Option<(usize, usize)>,
    /// How many `${` interpolations enclose the current position (heredoc sub-lexers go on
    /// counting): each one is a recursion, bounded by [`MAX_NESTING`].
    depth: u32,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, map: Option<SubMap>) -> Lexer<'a> {
        Lexer {
            src,
            b: src.as_bytes(),
            pos: 0,
            // About one token per twelve bytes in real modules.
            tokens: Vec::with_capacity(src.len() / 10 + 8),
            values: vec![],
            warnings: vec![],
            brace_count: 0,
            line_lexical_start: 0,
            newline_jump: None,
            map,
            uq_escapes: vec![],
            uq_mode: UqMode::All,
            err_global: None,
            dialect: Dialect::Puppet5,
            last_match: None,
            depth: 0,
        }
    }

    fn finish(mut self, res: LexResult<()>) -> Lexed {
        let end = self.global(self.b.len());
        match res {
            Ok(()) => {
                self.tokens
                    .push(Token::new(Tok::Eof, end as u32, end as u32));
                Lexed {
                    dialect: self.dialect,
                    tokens: self.tokens,
                    values: self.values,
                    error: None,
                    warnings: self.warnings,
                }
            }
            Err((kind, off)) => {
                let g = self.err_global.unwrap_or_else(|| self.global(off));
                self.tokens
                    .push(Token::new(Tok::LexError, g as u32, g as u32));
                Lexed {
                    dialect: self.dialect,
                    tokens: self.tokens,
                    values: self.values,
                    error: Some((kind, g)),
                    warnings: self.warnings,
                }
            }
        }
    }

    fn global(&self, off: usize) -> usize {
        match &self.map {
            Some(m) => m.to_global(off),
            None => off,
        }
    }

    fn after(&self) -> Option<Tok> {
        self.tokens.last().map(|t| t.kind)
    }

    #[inline]
    fn push(&mut self, kind: Tok, start: usize, end: usize, value: Option<Str>) {
        if self.map.is_some() {
            self.push_mapped(kind, start, end, value);
            return;
        }
        let value = match value {
            Some(v) => self.add_value(v),
            None => 0,
        };
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
            value,
        });
    }

    /// `${name}` and `${name[...]}`/`${name.m}`: the leading NAME/NUMBER/WORD/keyword (the
    /// token at `index`) becomes a variable.
    fn transform_to_variable(&mut self, index: usize) {
        let t = &self.tokens[index];
        let is_candidate = matches!(t.kind, Tok::Number | Tok::Name | Tok::Word | Tok::Boolean)
            || t.kind.is_keyword();
        if !is_candidate {
            return;
        }
        // A value already set is the name (text lexed from a heredoc keeps its own), except a
        // boolean's outside heredocs.
        let keep = t.value != 0 && (self.map.is_some() || t.kind != Tok::Boolean);
        let kind = if t.kind == Tok::Boolean {
            Tok::BoolVariable
        } else {
            Tok::Variable
        };
        let (start, end) = (t.start as usize, t.end as usize);
        if !keep {
            let value = self.add_value(self.src[start..end].into());
            self.tokens[index].value = value;
        }
        self.tokens[index].kind = kind;
    }

    /// Stores a token value; returns its [`Token::value`] index.
    fn add_value(&mut self, v: Str) -> u32 {
        self.values.push(v);
        self.values.len() as u32
    }

    /// `push` for text lexed from a heredoc: offsets mapped to the file, and the value kept
    /// (it cannot be sliced from the file).
    #[inline(never)]
    fn push_mapped(&mut self, kind: Tok, start: usize, end: usize, value: Option<Str>) {
        let gs = self.global(start);
        let value = value.unwrap_or_else(|| token_text(kind, &self.src[start..end]).into());
        let value = self.add_value(value);
        self.tokens.push(Token {
            kind,
            start: gs as u32,
            end: (gs + (end - start)) as u32,
            value,
        });
    }

    fn emit(&mut self, kind: Tok, len: usize) {
        let start = self.pos;
        self.pos += len;
        self.push(kind, start, self.pos, None);
    }

    fn peek(&self, n: usize) -> u8 {
        self.b.get(self.pos + n).copied().unwrap_or(0)
    }

    fn followed_by(&self) -> String {
        if self.pos >= self.b.len() {
            return "<eof>".to_string();
        }
        let rest = &self.src[self.pos..];
        let mut s: String = rest.chars().take(5).collect();
        s.push_str("...");
        s.replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    }

    /// Skips spaces, tabs and carriage returns.
    #[inline(always)]
    fn skip_blanks(&mut self) {
        let b = self.b;
        let mut p = self.pos;
        // Indentation is mostly spaces: eight at a time.
        while let Some(chunk) = b.get(p..p + 8) {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let diff = u64::from_le_bytes(word) ^ 0x2020_2020_2020_2020;
            if diff != 0 {
                p += (diff.trailing_zeros() / 8) as usize;
                break;
            }
            p += 8;
        }
        while p < b.len() && matches!(b[p], b' ' | b'\t' | b'\r') {
            p += 1;
        }
        self.pos = p;
    }

    /// Skips blanks, Unicode ones included.
    fn skip_ws(&mut self) {
        loop {
            self.skip_blanks();
            match self.src.get(self.pos..).and_then(unicode_blank_len) {
                Some(n) => self.pos += n,
                None => return,
            }
        }
    }

    fn run_main(&mut self) -> LexResult<()> {
        self.skip_ws();
        while self.pos < self.b.len() {
            self.lex_token()?;
            // Most tokens are followed by a blank: skip it without a dispatch.
            if self.b.get(self.pos) == Some(&b' ') {
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// Lexes one token (or skips whitespace/comments) at the current position. Inlined into
    /// the lexing loops: a call per token costs as much as the token.
    #[inline(always)]
    fn lex_token(&mut self) -> LexResult<()> {
        let c = self.b[self.pos];
        match c {
            b'.' => self.emit(Tok::Dot, 1),
            b',' => self.emit(Tok::Comma, 1),
            b'[' => {
                let before = self.pos;
                let ws_before =
                    before == 0 || matches!(self.b[before - 1], b' ' | b'\t' | b'\r' | b'\n');
                self.emit(
                    if ws_before {
                        Tok::ListStart
                    } else {
                        Tok::LBrack
                    },
                    1,
                )
            }
            b']' => self.emit(Tok::RBrack, 1),
            b'(' => {
                let before = self.pos;
                let ls = self.line_lexical_start.min(before);
                let only_blanks = self.b[ls..before]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r'));
                self.emit(
                    if only_blanks {
                        Tok::WsLParen
                    } else {
                        Tok::LParen
                    },
                    1,
                )
            }
            b')' => self.emit(Tok::RParen, 1),
            b';' => self.emit(Tok::Semic, 1),
            b'?' => self.emit(Tok::QMark, 1),
            b'*' => self.emit(Tok::Times, 1),
            b'%' => self.emit(Tok::Modulo, 1),
            b'{' => {
                self.brace_count += 1;
                let k = if self.after() == Some(Tok::QMark) {
                    Tok::SelBrace
                } else {
                    Tok::LBrace
                };
                self.emit(k, 1)
            }
            b'}' => {
                self.brace_count -= 1;
                self.emit(Tok::RBrace, 1)
            }
            b'@' => match self.peek(1) {
                b'@' => self.emit(Tok::AtAt, 2),
                b'(' => self.heredoc()?,
                _ => self.emit(Tok::At, 1),
            },
            b'|' => {
                if self.peek(1) == b'>' {
                    if self.peek(2) == b'>' {
                        self.emit(Tok::RRCollect, 3)
                    } else {
                        self.emit(Tok::RCollect, 2)
                    }
                } else {
                    self.emit(Tok::Pipe, 1)
                }
            }
            b'=' => match self.peek(1) {
                b'=' => self.emit(Tok::IsEqual, 2),
                b'>' => self.emit(Tok::FArrow, 2),
                b'~' => self.emit(Tok::Match, 2),
                _ => self.emit(Tok::Equals, 1),
            },
            b'+' => match self.peek(1) {
                b'=' => self.emit(Tok::Appends, 2),
                b'>' => self.emit(Tok::PArrow, 2),
                _ => self.emit(Tok::Plus, 1),
            },
            b'-' => match self.peek(1) {
                b'>' => self.emit(Tok::InEdge, 2),
                b'=' => self.emit(Tok::Deletes, 2),
                _ => self.emit(Tok::Minus, 1),
            },
            b'!' => match self.peek(1) {
                b'=' => self.emit(Tok::NotEqual, 2),
                b'~' => self.emit(Tok::NoMatch, 2),
                _ => self.emit(Tok::Not, 1),
            },
            b'~' => {
                if self.peek(1) == b'>' {
                    self.emit(Tok::InEdgeSub, 2)
                } else {
                    self.emit(Tok::Tilde, 1)
                }
            }
            b'#' => {
                // A comment runs to the end of the line (the newline is lexed on its own).
                self.pos = match memchr::memchr(b'\n', &self.b[self.pos..]) {
                    Some(i) => self.pos + i,
                    None => self.b.len(),
                };
            }
            b'/' => self.slash()?,
            b'<' => match self.peek(1) {
                b'<' => {
                    if self.peek(2) == b'|' {
                        self.emit(Tok::LLCollect, 3)
                    } else {
                        self.emit(Tok::LShift, 2)
                    }
                }
                b'=' => self.emit(Tok::LessEqual, 2),
                b'|' => self.emit(Tok::LCollect, 2),
                b'-' => self.emit(Tok::OutEdge, 2),
                b'~' => self.emit(Tok::OutEdgeSub, 2),
                _ => self.emit(Tok::LessThan, 1),
            },
            b'>' => match self.peek(1) {
                b'>' => self.emit(Tok::RShift, 2),
                b'=' => self.emit(Tok::GreaterEqual, 2),
                _ => self.emit(Tok::GreaterThan, 1),
            },
            b':' => self.colon()?,
            b'$' => {
                let before = self.pos;
                match dollar_var(&self.src[before + 1..]) {
                    Some(n) => {
                        self.pos = before + 1 + n;
                        self.push(Tok::Variable, before, self.pos, None);
                    }
                    None => {
                        self.pos += 1;
                        self.push(Tok::Variable, before, before + 1, None);
                    }
                }
            }
            b'"' => self.interpolate_dq()?,
            b'\'' => self.sq_string()?,
            b'\n' => {
                if let Some(j) = self.newline_jump.take() {
                    self.pos = j;
                } else {
                    self.pos += 1;
                }
                self.line_lexical_start = self.pos;
                // The next line's indentation.
                self.skip_blanks();
            }
            b' ' | b'\t' | b'\r' => self.skip_blanks(),
            b'0'..=b'9' => self.number()?,
            b'a'..=b'z' | b'_' => self.lower_word()?,
            b'A'..=b'Z' => self.classref()?,
            _ => {
                if let Some(n) = unicode_blank_len(&self.src[self.pos..]) {
                    self.pos += n;
                } else {
                    // Puppet emits the unrecognised character as an OTHER token whose value is
                    // empty, and advances one byte.
                    let start = self.pos;
                    let n = utf8_len(c);
                    self.pos += n;
                    self.push(Tok::Other, start, self.pos, Some("".into()));
                }
            }
        }
        Ok(())
    }

    fn regexp_acceptable(&self) -> bool {
        use Tok::*;
        !matches!(
            self.after(),
            Some(
                RParen
                    | RBrack
                    | RRCollect
                    | RCollect
                    | Name
                    | ClassRef
                    | Number
                    | String
                    | Boolean
                    | DqPre
                    | DqMid
                    | DqPost
                    | Heredoc
                    | Regex
                    | Variable
                    | BoolVariable
                    | Word
            )
        )
    }

    #[inline(never)]
    fn slash(&mut self) -> LexResult<()> {
        if self.peek(1) == b'*' {
            match self.src[self.pos + 2..].find("*/") {
                Some(i) => {
                    self.pos = self.pos + 2 + i + 2;
                    Ok(())
                }
                None => Err((LexErrorKind::UnclosedMlComment, self.pos)),
            }
        } else {
            let before = self.pos;
            if self.regexp_acceptable() {
                // PATTERN_REGEX: /[^/]*/, extended while the closing slash is escaped.
                if let Some(i) = self.src[before + 1..].find('/') {
                    let mut end = before + 1 + i + 1;
                    while escaped_end(&self.src[before..end]) {
                        match self.src[end..].find('/') {
                            Some(j) => end = end + j + 1,
                            None => {
                                self.emit(Tok::Div, 1);
                                return Ok(());
                            }
                        }
                    }
                    let body = self.src[before + 1..end - 1].replace("\\/", "/");
                    self.pos = end;
                    self.push(Tok::Regex, before, end, Some(body.into()));
                    return Ok(());
                }
            }
            self.emit(Tok::Div, 1);
            Ok(())
        }
    }

    #[inline(never)]
    fn colon(&mut self) -> LexResult<()> {
        let before = self.pos;
        if self.peek(1) != b':' {
            self.emit(Tok::Colon, 1);
            return Ok(());
        }
        let la2 = self.peek(2);
        if la2.is_ascii_uppercase() {
            let rest = &self.src[before..];
            let n = classref_len(rest);
            if n > 0 && !rest[n..].starts_with("::") {
                self.pos = before + n;
                self.push(Tok::ClassRef, before, self.pos, None);
                Ok(())
            } else {
                let p = before + n + 3;
                Err((
                    LexErrorKind::IllegalFullyQualifiedClassReference,
                    p.min(self.b.len()),
                ))
            }
        } else {
            match bare_word(&self.src[before..]) {
                (n, is_name) if n > 0 => {
                    self.pos = before + n;
                    let k = if is_name { Tok::Name } else { Tok::Word };
                    self.push(k, before, self.pos, None);
                    Ok(())
                }
                _ => Err((LexErrorKind::IllegalFullyQualifiedName, before + 2)),
            }
        }
    }

    fn lower_word(&mut self) -> LexResult<()> {
        let before = self.pos;
        match bare_word(&self.src[before..]) {
            (n, is_name) if n > 0 => {
                let w = &self.src[before..before + n];
                self.pos = before + n;
                if is_name {
                    let k = match keyword(w) {
                        // Puppet 7 removed the orchestration keywords: they are names there.
                        Some(Tok::Application | Tok::Consumes | Tok::Produces | Tok::Site)
                            if self.dialect == Dialect::Puppet7 =>
                        {
                            Tok::Name
                        }
                        Some(k) => k,
                        None => Tok::Name,
                    };
                    self.push(k, before, self.pos, None);
                } else {
                    self.push(Tok::Word, before, self.pos, None);
                }
                Ok(())
            }
            _ => {
                let p = before + 1;
                if self.src[p..].starts_with("::") {
                    Err((LexErrorKind::IllegalFullyQualifiedName, p))
                } else {
                    Err((LexErrorKind::IllegalNameOrBareWord, p))
                }
            }
        }
    }

    fn classref(&mut self) -> LexResult<()> {
        let before = self.pos;
        let rest = &self.src[before..];
        let n = classref_len(rest);
        if n > 0 && !rest[n..].starts_with("::") {
            self.pos = before + n;
            self.push(Tok::ClassRef, before, self.pos, None);
            Ok(())
        } else {
            // Puppet moves past what it scanned, then one more.
            Err((
                LexErrorKind::IllegalClassReference,
                (before + n + 1).min(self.b.len()),
            ))
        }
    }

    #[inline(never)]
    fn number(&mut self) -> LexResult<()> {
        let before = self.pos;
        let rest = &self.src[before..];
        if let Some(n) = number_len(rest) {
            let value = &rest[..n];
            assert_numeric(value).map_err(|k| (k, before))?;
            self.pos = before + n;
            self.push(Tok::Number, before, self.pos, None);
            Ok(())
        } else {
            // Puppet's recovery for a bad number: the word run from here, extended back over
            // `digits.` when the number started earlier (`1.0e`).
            let run = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count()
                .max(1);
            let after = before + run;
            let mut start = before;
            if before > 1 && self.b[before - 1] == b'.' {
                let mut p = before - 2;
                let mut moved = false;
                while self.b[p].is_ascii_digit() {
                    moved = true;
                    start = p;
                    if p == 0 {
                        break;
                    }
                    p -= 1;
                }
                if !moved {
                    start = before;
                }
            }
            let value = &self.src[start..after];
            assert_numeric(value).map_err(|k| (k, start))?;
            Err((
                LexErrorKind::IllegalNumber {
                    value: value.to_string(),
                },
                start + 1,
            ))
        }
    }

    #[inline(never)]
    fn sq_string(&mut self) -> LexResult<()> {
        let before = self.pos;
        self.pos += 1;
        let start = self.pos;
        // First unescaped quote (memchr: strings can be long).
        let mut i = start;
        let b = self.b;
        let mut escaped = false;
        while i < b.len() {
            match memchr::memchr2(b'\\', b'\'', &b[i..]) {
                Some(j) if b[i + j] == b'\\' => {
                    escaped = true;
                    i += j + 2;
                }
                Some(j) => {
                    i += j;
                    break;
                }
                None => i = b.len(),
            }
        }
        if i >= b.len() {
            let fb = self.followed_by();
            return Err((
                LexErrorKind::UnclosedQuote {
                    after: "\"'\"".to_string(),
                    followed_by: fb,
                },
                self.pos,
            ));
        }
        let raw = &self.src[start..i];
        // Without escapes the value is the text between the quotes: no copy.
        let value = escaped.then(|| process_sq(raw).into());
        self.pos = i + 1;
        self.push(Tok::String, before, self.pos, value);
        Ok(())
    }

    /// Scans a double-quoted string segment from the current position to the first unescaped
    /// `"`, `$` or `${`. Returns the processed text and the terminator, or `None` if the string
    /// is not closed.
    fn slurp_dq(&mut self) -> Option<(Cow<'a, str>, &'static str)> {
        let b = self.b;
        let src = self.src;
        let start = self.pos;
        let mut i = start;
        while i < b.len() {
            // Jump to the next byte that matters.
            match memchr::memchr3(b'\\', b'"', b'$', &b[i..]) {
                Some(j) => i += j,
                None => break,
            }
            match b[i] {
                b'\\' => i += 2,
                b'"' => {
                    let raw = &src[start..i];
                    self.pos = i + 1;
                    // Puppet reports escape warnings where its scanner stands: after the quote.
                    return Some((self.process_escapes(raw, DQ_ESCAPES, false, self.pos), "\""));
                }
                b'$' => {
                    let raw = &src[start..i];
                    let term = if b.get(i + 1) == Some(&b'{') {
                        "${"
                    } else {
                        "$"
                    };
                    self.pos = i + term.len();
                    return Some((self.process_escapes(raw, DQ_ESCAPES, false, self.pos), term));
                }
                _ => i += 1,
            }
        }
        None
    }

    fn unclosed_dq(&self) -> (LexErrorKind, usize) {
        (
            LexErrorKind::UnclosedQuote {
                after: format!(
                    "'{}'",
                    self.last_match
                        .and_then(|(s, e)| self.src.get(s..e))
                        .unwrap_or("")
                ),
                followed_by: self.followed_by(),
            },
            self.pos,
        )
    }

    #[inline(never)]
    fn interpolate_dq(&mut self) -> LexResult<()> {
        let before = self.pos;
        self.pos += 1;
        self.last_match = Some((before, before + 1));
        self.interpolate(Quoting::Double, before)
    }

    /// One segment of string text up to its terminator: `"` (or the end, in a heredoc), `$`
    /// or `${`.
    fn slurp_segment(&mut self, q: Quoting) -> LexResult<(Cow<'a, str>, &'static str)> {
        match q {
            Quoting::Double => self.slurp_dq().ok_or_else(|| self.unclosed_dq()),
            Quoting::Heredoc => Ok(self.slurp_uq()),
        }
    }

    /// A string with interpolation (Puppet's `interpolate_dq`/`interpolate_uq` and their
    /// tails): a STRING token when there is none, else DQPRE, the expression tokens, DQMID...,
    /// DQPOST.
    fn interpolate(&mut self, q: Quoting, start: usize) -> LexResult<()> {
        let end_term = match q {
            Quoting::Double => "\"",
            Quoting::Heredoc => "",
        };
        let mut first = true;
        let mut before = start;
        loop {
            let (mut text, mut term) = self.slurp_segment(q)?;
            let mut after = self.pos;
            let open = if first { Tok::DqPre } else { Tok::DqMid };
            loop {
                if term == end_term {
                    if !first {
                        self.push(Tok::DqPost, before, self.pos, Some(text.into()));
                    } else {
                        // Without escapes a double-quoted string's value is its text: no copy.
                        let unchanged = q == Quoting::Double && matches!(text, Cow::Borrowed(_));
                        let value = (!unchanged).then(|| text.into());
                        self.push(Tok::String, start, self.pos, value);
                    }
                    return Ok(());
                }
                if term == "${" {
                    let count = self.brace_count;
                    self.brace_count += 1;
                    self.push(open, before, self.pos, Some(text.into()));
                    if self.depth >= MAX_NESTING {
                        return Err((LexErrorKind::NestingTooDeep, self.pos - 2));
                    }
                    self.depth += 1;
                    let r = self.enqueue_until(count);
                    self.depth -= 1;
                    r?;
                    break;
                }
                if let Some(n) = interp_var(&self.src[self.pos..]) {
                    self.push(open, before, after - 1, Some(text.into()));
                    self.last_match = Some((self.pos, self.pos + n));
                    self.pos += n;
                    self.push(Tok::Variable, after - 1, self.pos, None);
                    break;
                }
                // A `$` that starts no variable is text.
                self.last_match = None;
                text.to_mut().push('$');
                let (v, t) = self.slurp_segment(q)?;
                text.to_mut().push_str(&v);
                term = t;
                after = self.pos;
            }
            first = false;
            before = self.pos;
        }
    }

    /// Lexes the tokens of a `${...}` interpolation until its closing brace, then applies
    /// Puppet's rewrite of a leading name into a variable.
    fn enqueue_until(&mut self, brace_count: i64) -> LexResult<()> {
        self.skip_ws();
        let first = self.tokens.len();
        let first_start = self.pos;
        while self.pos < self.b.len() {
            let n_before = self.tokens.len();
            self.lex_token()?;
            if self.tokens.len() > n_before {
                let last = self.tokens.len() - 1;
                if self.tokens[last].kind == Tok::RBrace && self.brace_count == brace_count {
                    self.tokens.pop();
                    // Puppet's scanner last matched the token before `}` if it scanned one.
                    self.last_match = self
                        .tokens
                        .last()
                        .filter(|t| {
                            t.start as usize >= first_start
                                && matches!(
                                    t.kind,
                                    Tok::Name
                                        | Tok::Word
                                        | Tok::Number
                                        | Tok::ClassRef
                                        | Tok::Variable
                                )
                        })
                        .map(|t| (t.start as usize, t.end as usize));
                    let qlen = self.tokens.len() - first;
                    if qlen == 1
                        || (qlen > 1
                            && matches!(self.tokens[first + 1].kind, Tok::Dot | Tok::LBrack))
                    {
                        self.transform_to_variable(first);
                    }
                    return Ok(());
                }
            }
        }
        // The input ended inside the interpolation: Puppet's last scan found nothing.
        self.last_match = None;
        Ok(())
    }

    /// Processes backslash escapes in `raw` (a slice of the source starting at `at`).
    #[inline(never)]
    fn process_escapes<'r>(
        &mut self,
        raw: &'r str,
        escapes: &[&str],
        ignore_invalid: bool,
        at: usize,
    ) -> Cow<'r, str> {
        if !raw.contains('\\') {
            return Cow::Borrowed(raw);
        }
        let allow_u = escapes.contains(&"u");
        let mut out = String::with_capacity(raw.len());
        let rb = raw.as_bytes();
        let mut i = 0;
        // Pass 1 (unicode escapes) and pass 2 (the others) merged: Puppet does unicode first,
        // which only differs from one pass when an escape produces a backslash.
        let mut staged = String::with_capacity(raw.len());
        if allow_u {
            while i < rb.len() {
                if rb[i] == b'\\' {
                    if let Some((ch, n)) = unicode_escape(&raw[i..]) {
                        staged.push(ch);
                        i += n;
                        continue;
                    }
                    // copy the escape pair verbatim
                    let n = 1 + raw[i + 1..].chars().next().map_or(0, char::len_utf8);
                    staged.push_str(&raw[i..i + n]);
                    i += n;
                    continue;
                }
                let ch = raw[i..].chars().next().unwrap_or('\u{0}');
                staged.push(ch);
                i += ch.len_utf8().max(1);
            }
        } else {
            staged.push_str(raw);
        }
        let s = staged.as_str();
        let sb = s.as_bytes();
        let mut j = 0;
        while j < sb.len() {
            if sb[j] == b'\\' && j + 1 < sb.len() {
                let rest = &s[j + 1..];
                let (esc, n) = if rest.starts_with("\r\n") {
                    ("\r\n", 2)
                } else {
                    let c = rest.chars().next().unwrap_or('\0');
                    (&rest[..c.len_utf8()], c.len_utf8())
                };
                if escapes.contains(&esc) {
                    match esc {
                        "r" => out.push('\r'),
                        "n" => out.push('\n'),
                        "t" => out.push('\t'),
                        "s" => out.push(' '),
                        "u" => {
                            self.warnings.push((
                                "Unicode escape '\\u' was not followed by 4 hex digits or 1-6 hex digits in {} or was > 10ffff".to_string(),
                                self.global(at),
                            ));
                            out.push_str("\\u");
                        }
                        "\n" | "\r\n" => {}
                        other => out.push_str(other),
                    }
                } else {
                    if !ignore_invalid {
                        self.warnings.push((
                            format!("Unrecognized escape sequence '\\{esc}'"),
                            self.global(at),
                        ));
                    }
                    out.push('\\');
                    out.push_str(esc);
                }
                j += 1 + n;
            } else {
                let ch = s[j..].chars().next().unwrap_or('\0');
                out.push(ch);
                j += ch.len_utf8().max(1);
            }
        }
        Cow::Owned(out)
    }

    #[inline(never)]
    fn heredoc(&mut self) -> LexResult<()> {
        let before = self.pos;
        let close = match self.src[before..].find(')') {
            Some(i) => before + i,
            None => {
                let fb = self.followed_by();
                return Err((
                    LexErrorKind::HeredocUnclosedParenthesis { followed_by: fb },
                    self.pos,
                ));
            }
        };
        let pos_after_heredoc = close + 1;
        let spec = &self.src[before + 2..close];
        self.pos = pos_after_heredoc;
        let Some((endtag_raw, syntax, escapes)) = parse_heredoc_spec(spec) else {
            return Err((LexErrorKind::HeredocInvalidSyntax, self.pos));
        };
        let mut endtag = endtag_raw.trim_matches(is_ruby_strip).to_string();
        let mut dq_style = false;
        if endtag.len() >= 2 && endtag.starts_with('"') && endtag.ends_with('"') {
            dq_style = true;
            endtag = endtag[1..endtag.len() - 1]
                .trim_matches(is_ruby_strip)
                .to_string();
        }
        if endtag.is_empty() {
            return Err((LexErrorKind::HeredocEmptyEndtag, self.pos));
        }
        let mut resulting: Vec<&'static str> = vec![];
        if let Some(esc) = escapes {
            let esc = if esc.is_empty() { "trnsuL$" } else { esc };
            let chars: Vec<char> = esc.chars().collect();
            let mut uniq = chars.clone();
            uniq.sort_unstable();
            uniq.dedup();
            if uniq.len() != chars.len() {
                return Err((
                    LexErrorKind::HeredocMultipleAtEscapes {
                        escapes: chars
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                    self.pos,
                ));
            }
            resulting.push("\\");
            for c in chars {
                match c {
                    't' => resulting.push("t"),
                    'r' => resulting.push("r"),
                    'n' => resulting.push("n"),
                    's' => resulting.push("s"),
                    'u' => resulting.push("u"),
                    '$' => resulting.push("$"),
                    'L' => {
                        resulting.push("\n");
                        resulting.push("\r\n");
                    }
                    other => {
                        return Err((
                            LexErrorKind::HeredocInvalidEscape {
                                actual: other.to_string(),
                            },
                            self.pos,
                        ));
                    }
                }
            }
        }
        self.push(Tok::Heredoc, before, pos_after_heredoc, Some(syntax.into()));

        let mut scan = match self.newline_jump {
            Some(j) => j,
            None => match self.src[self.pos..].find('\n') {
                Some(i) => self.pos + i + 1,
                None => return Err((LexErrorKind::HeredocWithoutText, self.pos)),
            },
        };
        let heredoc_offset = scan;
        let mut lines: Vec<(usize, &str)> = vec![];
        while scan < self.b.len() {
            let line_end = match self.src[scan..].find('\n') {
                Some(i) => scan + i + 1,
                None => self.b.len(),
            };
            let line = &self.src[scan..line_end];
            if let Some((leading, has_margin, remove_break)) = match_endline(line, &endtag) {
                self.newline_jump = Some(line_end);
                let (text, file_starts) = heredoc_text(&lines, leading, has_margin, remove_break);
                let mut text_starts = vec![0usize];
                let mut acc = 0;
                for (_, l) in lines.iter() {
                    let removed = if has_margin && !leading.is_empty() && l.starts_with(leading) {
                        leading.len()
                    } else {
                        0
                    };
                    acc += l.len() - removed;
                    text_starts.push(acc);
                }
                text_starts.pop();
                let map = SubMap {
                    text_line_starts: if lines.is_empty() {
                        vec![0]
                    } else {
                        text_starts
                    },
                    file_line_starts: if lines.is_empty() {
                        vec![heredoc_offset]
                    } else {
                        file_starts
                    },
                };
                let map = match &self.map {
                    // A heredoc inside a heredoc: compose the maps.
                    Some(outer) => SubMap {
                        text_line_starts: map.text_line_starts,
                        file_line_starts: map
                            .file_line_starts
                            .iter()
                            .map(|o| outer.to_global(*o))
                            .collect(),
                    },
                    None => map,
                };
                let mut sub = Lexer::new(&text, Some(map));
                // One value store for both: the sub-lexer's tokens keep their value indices.
                sub.values = std::mem::take(&mut self.values);
                sub.dialect = self.dialect;
                sub.depth = self.depth;
                sub.uq_escapes = resulting.clone();
                sub.uq_mode = if !dq_style {
                    UqMode::All
                } else if resulting.contains(&"$") {
                    UqMode::Escaped
                } else {
                    UqMode::NoEscape
                };
                let res = sub.interpolate(Quoting::Heredoc, 0);
                self.warnings.append(&mut sub.warnings);
                self.values = std::mem::take(&mut sub.values);
                self.tokens.append(&mut sub.tokens);
                if let Err((k, off)) = res {
                    self.err_global = Some(sub.err_global.unwrap_or_else(|| sub.global(off)));
                    return Err((k, off));
                }
                self.pos = pos_after_heredoc;
                return Ok(());
            }
            lines.push((scan, line));
            scan = line_end;
        }
        // Puppet makes this error when it starts reading the text: it points there.
        Err((LexErrorKind::HeredocWithoutEndTaggedLine, heredoc_offset))
    }

    /// Scans unquoted text to the next interpolation start (or the end).
    fn slurp_uq(&mut self) -> (Cow<'a, str>, &'static str) {
        let b = self.b;
        let src = self.src;
        let start = self.pos;
        let mut i = start;
        let escapes = std::mem::take(&mut self.uq_escapes);
        let result = loop {
            if i >= b.len() {
                self.pos = b.len();
                break (&src[start..], "");
            }
            match (self.uq_mode, b[i]) {
                (UqMode::All, _) => {
                    i = b.len();
                }
                (UqMode::Escaped, b'\\') => i += 2,
                (UqMode::Escaped | UqMode::NoEscape, b'$') => {
                    let term = if b.get(i + 1) == Some(&b'{') {
                        "${"
                    } else {
                        "$"
                    };
                    self.pos = i + term.len();
                    break (&src[start..i], term);
                }
                _ => i += 1,
            }
        };
        let (raw, term) = result;
        let text = self.process_escapes(raw, &escapes, true, self.pos);
        self.uq_escapes = escapes;
        (text, term)
    }
}

/// Length of a Unicode blank (Zs or tab) at the start of `s`, for non-ASCII input.
fn unicode_blank_len(s: &str) -> Option<usize> {
    let c = s.chars().next()?;
    let blank = matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    );
    blank.then(|| c.len_utf8())
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// True if the regex text `/.../` ends with a slash escaped by an odd number of backslashes.
fn escaped_end(value: &str) -> bool {
    if !value.ends_with("\\/") {
        return false;
    }
    let inner = &value[1..value.len() - 1];
    let mut escaped = false;
    for c in inner.chars() {
        if c == '\\' {
            escaped = !escaped;
        } else {
            escaped = false;
        }
    }
    escaped
}

/// `\w` of Ruby's regexes (ASCII letters, digits, `_`), as a table: it is asked for every
/// byte of every name.
const WORD_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_';
        c += 1;
    }
    t
};

fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[b as usize]
}

/// `((::)?[A-Z]\w*)+`
fn classref_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        let seg = if b[i..].starts_with(b"::") { i + 2 } else { i };
        if seg < b.len() && b[seg].is_ascii_uppercase() {
            let mut j = seg + 1;
            while j < b.len() && is_word_byte(b[j]) {
                j += 1;
            }
            i = j;
        } else {
            return i;
        }
    }
}

/// PATTERN_BARE_WORD: `((?:::)?[a-z_](?:[\w-]*\w)?)+`, as a byte scan (every name in a file
/// goes through it). Returns the matched length (0 when there is no match) and whether the
/// word also matches PATTERN_NAME (segments start with `[a-z]`, no hyphen), as one pass.
fn bare_word(s: &str) -> (usize, bool) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut matched = 0;
    let mut name = true;
    loop {
        let seg = if b[i..].starts_with(b"::") { i + 2 } else { i };
        if seg >= b.len() || !(b[seg].is_ascii_lowercase() || b[seg] == b'_') {
            return (matched, name);
        }
        name &= b[seg] != b'_';
        // `[\w-]*` given back to the last word character (the regex backtracks over trailing
        // hyphens).
        let mut n = seg + 1;
        let keep = loop {
            while n < b.len() && is_word_byte(b[n]) {
                n += 1;
            }
            let word_end = n;
            while n < b.len() && b[n] == b'-' {
                n += 1;
            }
            if n > word_end && n < b.len() && is_word_byte(b[n]) {
                // A hyphen inside the word: a bare word, not a name.
                name = false;
            } else {
                break word_end;
            }
        };
        matched = keep;
        i = keep;
        // A next segment needs `::` (a hyphen run ended this one).
        if !b[i..].starts_with(b"::") {
            return (matched, name);
        }
    }
}

/// PATTERN_NUMBER with its `\b` boundaries: the length of the number at the start of `s`.
fn number_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let boundary = |n: usize| n >= b.len() || !is_word_byte(b[n]);
    let digits = |from: usize| {
        let mut j = from;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        let mut j = 2;
        while j < b.len() && b[j].is_ascii_hexdigit() {
            j += 1;
        }
        if j > 2 && boundary(j) {
            return Some(j);
        }
    }
    let int_end = digits(0);
    if int_end == 0 {
        return None;
    }
    let mut candidates = vec![];
    let frac_end = if b.get(int_end) == Some(&b'.') {
        let j = digits(int_end + 1);
        (j > int_end + 1).then_some(j)
    } else {
        None
    };
    let exp_after = |from: usize| -> Option<usize> {
        if matches!(b.get(from), Some(b'e' | b'E')) {
            let mut k = from + 1;
            if b.get(k) == Some(&b'-') {
                k += 1;
            }
            let e = digits(k);
            (e > k).then_some(e)
        } else {
            None
        }
    };
    if let Some(f) = frac_end {
        if let Some(e) = exp_after(f) {
            candidates.push(e);
        }
        candidates.push(f);
    }
    if let Some(e) = exp_after(int_end) {
        candidates.push(e);
    }
    candidates.push(int_end);
    candidates.into_iter().find(|n| boundary(*n))
}

/// `assert_numeric` of the lexer: specific errors for malformed hex, octal and decimal numbers.
fn assert_numeric(value: &str) -> Result<(), LexErrorKind> {
    let b = value.as_bytes();
    let all = |from: usize, f: fn(u8) -> bool| b.len() > from && b[from..].iter().all(|c| f(*c));
    if b.len() >= 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        if !all(2, |c| c.is_ascii_hexdigit()) {
            return Err(LexErrorKind::InvalidHexNumber {
                value: value.to_string(),
            });
        }
    } else if b.len() >= 2 && b[0] == b'0' && b[1] != b'.' {
        if !all(1, |c| (b'0'..=b'7').contains(&c)) {
            return Err(LexErrorKind::InvalidOctalNumber {
                value: value.to_string(),
            });
        }
    } else {
        let int_end = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if int_end > 0 && matches!(b.get(int_end), Some(b'e' | b'E' | b'.')) {
            if number_len(value) != Some(value.len())
                || !value
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-'))
            {
                return Err(LexErrorKind::InvalidDecimalNumber {
                    value: value.to_string(),
                });
            }
        } else if !all(0, |c| c.is_ascii_digit()) {
            return Err(LexErrorKind::IllegalNumber {
                value: value.to_string(),
            });
        }
    }
    Ok(())
}

fn process_sq(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('\\') | Some('\'') => out.push(chars.next().unwrap_or(c)),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// PATTERN_DOLLAR_VAR after the `$`: `(::)?(\w+::)*\w+`. Returns its length.
fn dollar_var(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = if b.starts_with(b"::") { 2 } else { 0 };
    let mut end = None;
    loop {
        let start = i;
        while i < b.len() && is_word_byte(b[i]) {
            i += 1;
        }
        if i == start {
            return end;
        }
        end = Some(i);
        if b[i..].starts_with(b"::") && b.get(i + 2).is_some_and(|c| is_word_byte(*c)) {
            i += 2;
        } else {
            return end;
        }
    }
}

/// PATTERN_VARIABLE for `$x` inside strings (same shape as [`dollar_var`]).
fn interp_var(s: &str) -> Option<usize> {
    dollar_var(s)
}

/// `\uXXXX` or `\u{X..}` at the start of `s`: the character and the escape's length.
fn unicode_escape(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'\\' || b[1] != b'u' {
        return None;
    }
    if b.get(2) == Some(&b'{') {
        let n = b[3..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if (1..=6).contains(&n) && b.get(3 + n) == Some(&b'}') {
            let v = u32::from_str_radix(&s[3..3 + n], 16).ok()?;
            return char::from_u32(v).map(|c| (c, 4 + n));
        }
        return None;
    }
    if b.len() >= 6 && b[2..6].iter().all(|c| c.is_ascii_hexdigit()) {
        let v = u32::from_str_radix(&s[2..6], 16).ok()?;
        return char::from_u32(v).map(|c| (c, 6));
    }
    None
}

/// Parses `TAG[:syntax][/escapes]` (inside `@(...)`).
fn parse_heredoc_spec(spec: &str) -> Option<(&str, &str, Option<&str>)> {
    heredoc_spec(spec)
        .ok()
        .filter(|(rest, _)| rest.is_empty())
        .map(|(_, parts)| parts)
}

/// PATTERN_HEREDOC without its `@(` and `)`:
/// `([^:/\r\n)]+)(?::[[:blank:]]*([a-z][a-zA-Z0-9_+]+)[[:blank:]]*)?(?:/((?:\w|[$])*)[[:blank:]]*)?`
fn heredoc_spec(i: &str) -> IResult<&str, (&str, &str, Option<&str>)> {
    let blanks = || take_while(|c| c == ' ' || c == '\t');
    let (i, tag_text) = take_while1(|c| !matches!(c, ':' | '/' | '\r' | '\n' | ')')).parse(i)?;
    let (i, syntax) = opt(delimited(
        pair(char(':'), blanks()),
        recognize(pair(
            satisfy(|c| c.is_ascii_lowercase()),
            take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '+'),
        )),
        blanks(),
    ))
    .parse(i)?;
    let (i, escapes) = opt(delimited(
        char('/'),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$'),
        blanks(),
    ))
    .parse(i)?;
    Ok((i, (tag_text, syntax.unwrap_or(""), escapes)))
}

/// Ruby's `String#strip` whitespace.
fn is_ruby_strip(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C' | '\0')
}

/// Matches a heredoc end line (unanchored, as Puppet does): returns the leading blanks, whether
/// a `|` margin marker was given and whether `-` asks to remove the last line break.
fn match_endline<'l>(line: &'l str, tag: &str) -> Option<(&'l str, bool, bool)> {
    let b = line.as_bytes();
    let blank = |c: u8| c == b' ' || c == b'\t';
    for start in 0..b.len() {
        if !line.is_char_boundary(start) {
            continue;
        }
        let mut i = start;
        while i < b.len() && blank(b[i]) {
            i += 1;
        }
        let leading = &line[start..i];
        let mut has_margin = false;
        let mut j = i;
        if b.get(j) == Some(&b'|') {
            has_margin = true;
            j += 1;
            while j < b.len() && blank(b[j]) {
                j += 1;
            }
        }
        let mut remove_break = false;
        if b.get(j) == Some(&b'-') {
            let mut k = j + 1;
            while k < b.len() && blank(b[k]) {
                k += 1;
            }
            if line[k..].starts_with(tag) {
                remove_break = true;
                j = k;
            }
        }
        if !line[j..].starts_with(tag) {
            continue;
        }
        let mut k = j + tag.len();
        while k < b.len() && blank(b[k]) {
            k += 1;
        }
        if b.get(k) == Some(&b'\r') {
            k += 1;
        }
        if k == b.len() || (b[k] == b'\n' && k + 1 == b.len()) {
            return Some((leading, has_margin, remove_break));
        }
    }
    None
}

/// The heredoc text from its lines: margin removed, last line break removed on request. Also
/// returns where each line's kept text starts in the file.
fn heredoc_text(
    lines: &[(usize, &str)],
    leading: &str,
    has_margin: bool,
    remove_break: bool,
) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(lines.len());
    for (off, l) in lines {
        if has_margin && !leading.is_empty() && l.starts_with(leading) {
            text.push_str(&l[leading.len()..]);
            starts.push(off + leading.len());
        } else {
            text.push_str(l);
            starts.push(*off);
        }
    }
    if remove_break {
        if text.ends_with("\r\n") {
            text.truncate(text.len() - 2);
        } else if text.ends_with('\n') {
            text.truncate(text.len() - 1);
        }
    }
    (text, starts)
}

#[cfg(test)]
mod tests {
    use super::bare_word;

    #[test]
    fn bare_words_and_names() {
        // (text, matched length, is a NAME)
        for (text, len, name) in [
            ("foo", 3, true),
            ("foo::bar baz", 8, true),
            ("::foo::bar", 10, true),
            ("foo-bar", 7, false),
            ("foo-", 3, true),
            ("foo--bar-", 8, false),
            ("_x", 2, false),
            ("a::_b", 5, false),
            ("a::B", 1, true),
            ("a1_b2", 5, true),
            ("a::", 1, true),
        ] {
            assert_eq!(bare_word(text), (len, name), "{text}");
        }
    }
}
