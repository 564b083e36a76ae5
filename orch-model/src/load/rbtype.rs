//! Capability types declared in Ruby (`Puppet::Type.newtype(:sql, :is_capability => true)`),
//! read as text: the type's name and its parameters, without running Ruby.

use crate::code::CapabilityType;
use crate::reference::capitalize_type as capitalize;

/// The capability type a `lib/puppet/type/*.rb` file declares, if it declares one.
pub(crate) fn capability_type(text: &str) -> Option<CapabilityType> {
    let start = text.find("newtype")?;
    let call = text[start + "newtype".len()..].trim_start();
    // `newtype(:x, ...)` or `newtype :x, ... do`
    let (call, close) = match call.strip_prefix('(') {
        Some(c) => (c, c.find(')')?),
        None => (call, call.find(" do").or_else(|| call.find('\n'))?),
    };
    let args = &call[..close];
    let name = args
        .trim_start()
        .strip_prefix(':')
        .or_else(|| args.trim_start().strip_prefix('\''))
        .or_else(|| args.trim_start().strip_prefix('"'))?;
    let name: String = name
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let compact: String = args.chars().filter(|c| !c.is_whitespace()).collect();
    let is_capability =
        compact.contains(":is_capability=>true") || compact.contains("is_capability:true");
    if name.is_empty() || !is_capability {
        return None;
    }
    let mut parameters = vec![];
    for kw in ["newparam", "newproperty"] {
        let mut rest = text;
        while let Some(i) = rest.find(kw) {
            rest = &rest[i + kw.len()..];
            let r = rest.trim_start().trim_start_matches('(').trim_start();
            if let Some(r) = r.strip_prefix(':') {
                let p: String = r
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !p.is_empty() && !parameters.contains(&p) {
                    parameters.push(p);
                }
            }
        }
    }
    Some(CapabilityType {
        name: capitalize(&name),
        parameters,
        file: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_and_parameters() {
        let t = capability_type(
            "Puppet::Type.newtype :sql, :is_capability => true do\n newparam :name, :namevar => true\n newparam :host\nend\n",
        );
        assert_eq!(t.unwrap().parameters, ["name", "host"]);
        let t = capability_type(
            "Puppet::Type.newtype(:sql, :is_capability => true) do\n  newparam :name, :namevar => true\n  newparam(:host)\n  newproperty :port\nend\n",
        )
        .unwrap();
        assert_eq!(t.name, "Sql");
        assert_eq!(t.parameters, ["name", "host", "port"]);
        assert!(capability_type("Puppet::Type.newtype(:file) do\nend").is_none());
    }
}
