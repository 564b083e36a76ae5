//! The environment graph: Puppet Server's `/puppet/v3/environment/:env` JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{ModelError, ResourceRef};

/// The applications of an environment, each with its components: what they produce and consume
/// and the node they run on. Exactly the JSON shape Puppet Server served (`code_id` is read and
/// kept but optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EnvironmentGraph {
    /// The environment's name.
    pub environment: String,
    /// Application instance (`Shop[prod]`) → component (`Shop::Db[prod]`) → its data.
    pub applications: BTreeMap<ResourceRef, BTreeMap<ResourceRef, Component>>,
    /// The code id Puppet Server echoed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_id: Option<String>,
}

/// One component of an application instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Component {
    /// Capabilities it exports (`Sql[prod]`).
    pub produces: Vec<ResourceRef>,
    /// Capabilities it consumes or requires.
    pub consumes: Vec<ResourceRef>,
    /// The certname of the node it runs on.
    pub node: String,
}

impl EnvironmentGraph {
    /// Reads Puppet Server's environment-graph JSON.
    pub fn from_json(text: &str) -> Result<EnvironmentGraph, ModelError> {
        serde_json::from_str(text).map_err(|e| ModelError::GraphJson {
            message: e.to_string(),
        })
    }

    /// Writes the JSON (pretty, keys sorted).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the graph is plain data")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_puppet_servers_json() {
        let json = r#"{ "environment": "production",
          "applications": {
            "Myapp[test]": {
              "Db[test]":  { "produces": ["Sql[test]"],  "consumes": [], "node": "foo.example.com" },
              "Web[test]": { "produces": ["Http[test]"], "consumes": ["Sql[test]"], "node": "bar.example.com" } } },
          "code_id": null }"#;
        let g = EnvironmentGraph::from_json(json).unwrap();
        let app = &g.applications[&ResourceRef::parse("Myapp[test]").unwrap()];
        let web = &app[&ResourceRef::parse("Web[test]").unwrap()];
        assert_eq!(web.consumes, vec![ResourceRef::parse("Sql[test]").unwrap()]);
        assert_eq!(web.node, "bar.example.com");
        let again = EnvironmentGraph::from_json(&g.to_json()).unwrap();
        assert_eq!(again, g);
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(EnvironmentGraph::from_json("{}").is_err());
        assert!(
            EnvironmentGraph::from_json(r#"{"environment":"e","applications":{"nope":{}}}"#)
                .is_err()
        );
    }
}
