//! Synthetic environments for the planner and loader benchmarks: application instances of three
//! components each, wired as chains, fan-outs and fan-ins, and linked across instances into a
//! tree so that plans have many levels.
//!
//! The same environment comes out two ways: as the environment graph (Puppet Server's JSON, what
//! the planner reads) and as a Puppet environment directory (`manifests/site.pp` with the
//! instances, module `bench` with the defines, applications, capability mappings and
//! `lib/puppet/type/*.rb` capability types), which evaluates to that graph.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use orch_model::{EnvironmentGraph, GraphComponent, ResourceRef};

/// How instance `k`'s three components depend on each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// db → app → web.
    Chain,
    /// db → app and db → web.
    FanOut,
    /// db → web and app → web.
    FanIn,
}

/// An environment of `nodes` nodes (rounded up to a multiple of three): `ceil(nodes / 3)`
/// application instances, one node per component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synthetic {
    instances: usize,
}

impl Synthetic {
    /// About `nodes` nodes.
    pub fn with_nodes(nodes: usize) -> Synthetic {
        Synthetic {
            instances: nodes.div_ceil(3).max(1),
        }
    }

    /// How many nodes (three per instance).
    pub fn nodes(&self) -> usize {
        self.instances * 3
    }

    fn shape(k: usize) -> Shape {
        match k % 3 {
            0 => Shape::Chain,
            1 => Shape::FanOut,
            _ => Shape::FanIn,
        }
    }

    /// The instance whose `Feed` instance `k` consumes: its parent in a binary tree, except for
    /// every tenth instance, which starts a tree of its own. Always an earlier instance, so the
    /// environment has no cycle; depth grows as log2 of the size.
    fn upstream(k: usize) -> Option<usize> {
        (!k.is_multiple_of(10)).then_some(k / 2)
    }

    fn title(k: usize) -> String {
        format!("a{k:06}")
    }

    fn node(k: usize, j: usize) -> String {
        format!("node{:06}.bench.example", 3 * k + j)
    }

    /// The environment graph, as Puppet Server would serve it for [`Self::write_puppet`]'s code.
    pub fn graph(&self) -> EnvironmentGraph {
        let cap = |t: &str, title: &str| ResourceRef::new(t, title);
        let mut applications = BTreeMap::new();
        for k in 0..self.instances {
            let t = Self::title(k);
            let feed_in: Vec<ResourceRef> = Self::upstream(k)
                .map(|u| cap("Feed", &Self::title(u)))
                .into_iter()
                .collect();
            let (sql, http, feed) = (cap("Sql", &t), cap("Http", &t), cap("Feed", &t));
            let (app_produces, app_consumes, web_produces, web_consumes) = match Self::shape(k) {
                Shape::Chain => (
                    vec![http.clone()],
                    vec![sql.clone()],
                    vec![feed],
                    vec![http],
                ),
                Shape::FanOut => (vec![feed], vec![sql.clone()], vec![], vec![sql.clone()]),
                Shape::FanIn => (
                    vec![http.clone()],
                    vec![],
                    vec![feed],
                    vec![sql.clone(), http],
                ),
            };
            let comps = BTreeMap::from([
                (
                    ResourceRef::new("Bench::Db", &t),
                    GraphComponent {
                        produces: vec![sql],
                        consumes: feed_in,
                        node: Self::node(k, 0),
                    },
                ),
                (
                    ResourceRef::new("Bench::App", &t),
                    GraphComponent {
                        produces: app_produces,
                        consumes: app_consumes,
                        node: Self::node(k, 1),
                    },
                ),
                (
                    ResourceRef::new("Bench::Web", &t),
                    GraphComponent {
                        produces: web_produces,
                        consumes: web_consumes,
                        node: Self::node(k, 2),
                    },
                ),
            ]);
            let app_type = match Self::shape(k) {
                Shape::Chain => "Bench::Chain",
                Shape::FanOut => "Bench::Fanout",
                Shape::FanIn => "Bench::Fanin",
            };
            applications.insert(ResourceRef::new(app_type, &t), comps);
        }
        EnvironmentGraph {
            environment: "production".into(),
            applications,
            code_id: None,
        }
    }

    /// The graph as compact JSON, as Puppet Server sends it.
    pub fn graph_json(&self) -> String {
        serde_json::to_string(&self.graph()).expect("the graph is plain data")
    }

    /// Writes the Puppet environment directory (`dir/manifests/site.pp`, `dir/modules/bench/...`,
    /// `dir/environment.conf`) whose environment graph is [`Self::graph`].
    pub fn write_puppet(&self, dir: &Path) -> io::Result<()> {
        let module = dir.join("modules/bench");
        std::fs::create_dir_all(dir.join("manifests"))?;
        std::fs::create_dir_all(module.join("manifests"))?;
        std::fs::create_dir_all(module.join("lib/puppet/type"))?;
        std::fs::write(dir.join("environment.conf"), "modulepath = modules\n")?;
        for (name, text) in MODULE_FILES {
            std::fs::write(module.join(name), text)?;
        }
        std::fs::write(dir.join("manifests/site.pp"), self.site())
    }

    fn site(&self) -> String {
        let mut site = String::from("# Generated by orch-benches (Synthetic).\nsite {\n");
        for k in 0..self.instances {
            let t = Self::title(k);
            let app = match Self::shape(k) {
                Shape::Chain => "bench::chain",
                Shape::FanOut => "bench::fanout",
                Shape::FanIn => "bench::fanin",
            };
            let _ = writeln!(site, "  {app} {{ '{t}':");
            if let Some(u) = Self::upstream(k) {
                let _ = writeln!(site, "    upstream => '{}',", Self::title(u));
            }
            site.push_str("    nodes    => {\n");
            for (j, comp) in ["Bench::Db", "Bench::App", "Bench::Web"].iter().enumerate() {
                let _ = writeln!(site, "      Node['{}'] => {comp}['{t}'],", Self::node(k, j));
            }
            site.push_str("    },\n  }\n");
        }
        site.push_str("}\n");
        site
    }
}

/// The `bench` module: capability types, component defines with their mappings, and the three
/// application shapes.
const MODULE_FILES: &[(&str, &str)] = &[
    ("lib/puppet/type/sql.rb", CAPABILITY_SQL),
    ("lib/puppet/type/http.rb", CAPABILITY_HTTP),
    ("lib/puppet/type/feed.rb", CAPABILITY_FEED),
    (
        "manifests/db.pp",
        "# A database; reads the feed of an upstream instance, if any.
define bench::db (
  Optional[String] $upstream = undef,
) {
  notify { \"db ${name} after ${upstream}\": }
}

Bench::Db produces Sql {
  host => $name,
}

Bench::Db consumes Feed {
  upstream => $host,
}
",
    ),
    (
        "manifests/app.pp",
        "# An application server.
define bench::app (
  Optional[String] $db = undef,
) {
  notify { \"app ${name} on ${db}\": }
}

Bench::App consumes Sql {
  db => $host,
}

Bench::App produces Http {
  host => $name,
}

Bench::App produces Feed {
  host => $name,
}
",
    ),
    (
        "manifests/web.pp",
        "# A web front end.
define bench::web (
  Optional[String] $db = undef,
  Optional[String] $backend = undef,
) {
  notify { \"web ${name} on ${db} ${backend}\": }
}

Bench::Web consumes Sql {
  db => $host,
}

Bench::Web consumes Http {
  backend => $host,
}

Bench::Web produces Feed {
  host => $name,
}
",
    ),
    (
        "manifests/chain.pp",
        "# db -> app -> web.
application bench::chain (
  Optional[String] $upstream = undef,
) {
  $feed = $upstream ? { undef => undef, default => Feed[$upstream] }
  bench::db { $name: export => Sql[$name], consume => $feed }
  bench::app { $name: consume => Sql[$name], export => Http[$name] }
  bench::web { $name: consume => Http[$name], export => Feed[$name] }
}
",
    ),
    (
        "manifests/fanout.pp",
        "# db -> app, db -> web.
application bench::fanout (
  Optional[String] $upstream = undef,
) {
  $feed = $upstream ? { undef => undef, default => Feed[$upstream] }
  bench::db { $name: export => Sql[$name], consume => $feed }
  bench::app { $name: consume => Sql[$name], export => Feed[$name] }
  bench::web { $name: consume => Sql[$name] }
}
",
    ),
    (
        "manifests/fanin.pp",
        "# db -> web, app -> web.
application bench::fanin (
  Optional[String] $upstream = undef,
) {
  $feed = $upstream ? { undef => undef, default => Feed[$upstream] }
  bench::db { $name: export => Sql[$name], consume => $feed }
  bench::app { $name: export => Http[$name] }
  bench::web { $name: consume => [Sql[$name], Http[$name]], export => Feed[$name] }
}
",
    ),
];

const CAPABILITY_SQL: &str = "# A database endpoint.
Puppet::Type.newtype(:sql, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
end
";

const CAPABILITY_HTTP: &str = "# An HTTP endpoint.
Puppet::Type.newtype(:http, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
end
";

const CAPABILITY_FEED: &str = "# What an instance hands to the instances downstream of it.
Puppet::Type.newtype(:feed, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
end
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_links() {
        let s = Synthetic::with_nodes(1000);
        assert_eq!(s.nodes(), 1002);
        let g = s.graph();
        assert_eq!(g.applications.len(), 334);
        let comps: usize = g.applications.values().map(BTreeMap::len).sum();
        assert_eq!(comps, 1002);
        // Every consumed capability is produced exactly once.
        let produced: Vec<&ResourceRef> = g
            .applications
            .values()
            .flat_map(|c| c.values().flat_map(|c| &c.produces))
            .collect();
        let unique: std::collections::BTreeSet<_> = produced.iter().collect();
        assert_eq!(unique.len(), produced.len());
        for c in g.applications.values().flat_map(BTreeMap::values) {
            assert!(c.consumes.iter().all(|k| unique.contains(&k)));
        }
    }
}
