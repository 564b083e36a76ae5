//! `--token-file`: the tokens the server accepts, kept only as SHA-256 hashes, each with the
//! login it stands for (a job's `owner`).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The accepted tokens: `<login> sha256:<hex> [view]` lines (`#` starts a comment); `view`
/// makes a token read-only (it may look, not start or stop jobs).
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    hash: [u8; 32],
    user: User,
}

/// Who a token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The login (a job's `owner`).
    pub login: String,
    /// Whether it may start and stop jobs.
    pub may_run: bool,
}

/// `sha256:<hex>` of a token, as a token file holds it.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

impl Tokens {
    /// Reads a token file.
    pub fn load(path: &Path) -> Result<Tokens, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        Tokens::parse(&text).map_err(|(line, message)| Error::TokenFile {
            path: path.to_owned(),
            line,
            message,
        })
    }

    /// Parses a token file's text; `Err` has the line (from 1) and what is wrong with it.
    pub fn parse(text: &str) -> Result<Tokens, (usize, String)> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(login), Some(hash), permission, None) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                return Err((i + 1, "expected `<login> sha256:<hex> [view]`".into()));
            };
            let may_run = match permission {
                None => true,
                Some("view") => false,
                Some(other) => {
                    return Err((
                        i + 1,
                        format!("`{other}` is not a permission (only `view`, for read-only)"),
                    ));
                }
            };
            let hex = hash.strip_prefix("sha256:").ok_or_else(|| {
                (
                    i + 1,
                    "the hash must be `sha256:` and 64 hex digits (the token itself is never stored)"
                        .to_owned(),
                )
            })?;
            let digest = decode_hex(hex).ok_or_else(|| {
                (
                    i + 1,
                    format!("`{hash}` is not `sha256:` and 64 hex digits"),
                )
            })?;
            entries.push(Entry {
                hash: digest,
                user: User {
                    login: login.to_owned(),
                    may_run,
                },
            });
        }
        Ok(Tokens { entries })
    }

    /// Who `token` stands for, if it is accepted. Compares every entry in full (no early
    /// exit on the first differing byte).
    pub fn user(&self, token: &str) -> Option<&User> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for entry in &self.entries {
            let diff = entry
                .hash
                .iter()
                .zip(&digest)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            if diff == 0 && found.is_none() {
                found = Some(&entry.user);
            }
        }
        found
    }

    /// How many tokens are accepted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no token is accepted.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_accepted_by_its_hash_only() {
        let file = format!(
            "# ops\nalice {}  # laptop\n\nbob {} view\n",
            token_hash("s3cret"),
            token_hash("other")
        );
        let tokens = Tokens::parse(&file).unwrap();
        assert_eq!(tokens.len(), 2);
        let login = |t: &str| tokens.user(t).map(|u| (u.login.as_str(), u.may_run));
        assert_eq!(login("s3cret"), Some(("alice", true)));
        assert_eq!(login("other"), Some(("bob", false)));
        assert_eq!(login("s3cret "), None);
        assert_eq!(login(""), None);
    }

    #[test]
    fn bad_lines_name_their_line() {
        assert_eq!(Tokens::parse("alice\n").unwrap_err().0, 1);
        assert_eq!(Tokens::parse("\nalice s3cret\n").unwrap_err().0, 2);
        assert_eq!(Tokens::parse("alice sha256:abc\n").unwrap_err().0, 1);
        let e = Tokens::parse("a b c d\n").unwrap_err();
        assert!(e.1.contains("<login>"), "{e:?}");
        let e = Tokens::parse(&format!("a {} admin\n", token_hash("x"))).unwrap_err();
        assert!(e.1.contains("`admin` is not a permission"), "{e:?}");
    }
}
