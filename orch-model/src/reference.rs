//! Resource references (`Type[title]`), the way Puppet prints and compares them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// A resource reference such as `Lamp::Db[prod]`: a capitalised, `::`-qualified type name and
/// a title. Serialized as the text `Type[title]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceRef {
    /// The type, each segment capitalised as Puppet prints it (`Lamp::Db`, `Node`, `Sql`).
    pub type_name: String,
    /// The title.
    pub title: String,
}

impl ResourceRef {
    /// Makes a reference; the type name is capitalised segment by segment (`lamp::db` →
    /// `Lamp::Db`), as Puppet does.
    pub fn new(type_name: &str, title: impl Into<String>) -> ResourceRef {
        let type_name = capitalize_type(type_name);
        let title = title.into();
        // Class titles are class names, printed capitalised (`Class[Apache::Mod]`).
        let title = if type_name == "Class" {
            capitalize_type(&title)
        } else {
            title
        };
        ResourceRef { type_name, title }
    }

    /// Parses `Type[title]` (the title is everything between the first `[` and the last `]`).
    pub fn parse(text: &str) -> Result<ResourceRef, ModelError> {
        let bad = || ModelError::BadReference {
            text: text.to_string(),
        };
        let open = text.find('[').ok_or_else(bad)?;
        let inner = text[open + 1..].strip_suffix(']').ok_or_else(bad)?;
        let type_name = &text[..open];
        if type_name.is_empty()
            || !type_name
                .split("::")
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            return Err(bad());
        }
        Ok(ResourceRef::new(type_name, inner))
    }
}

/// `lamp::db` → `Lamp::Db`, `MyApp::WEB` → `Myapp::Web` (Puppet's per-segment normalisation);
/// a leading `::` is dropped.
pub(crate) fn capitalize_type(name: &str) -> String {
    name.trim_start_matches("::")
        .split("::")
        .map(|seg| {
            let mut c = seg.chars();
            match c.next() {
                // Ruby's `capitalize`: `MYAPP` and `myApp` are both `Myapp`.
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("::")
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.type_name, self.title)
    }
}

impl Serialize for ResourceRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ResourceRef::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_like_puppet() {
        let r = ResourceRef::parse("lamp::db[prod-1]").unwrap();
        assert_eq!(r.type_name, "Lamp::Db");
        assert_eq!(r.to_string(), "Lamp::Db[prod-1]");
        assert_eq!(ResourceRef::parse("Sql[a[b]]").unwrap().title, "a[b]");
        assert!(ResourceRef::parse("nope").is_err());
        assert!(ResourceRef::parse("[x]").is_err());
    }
}
