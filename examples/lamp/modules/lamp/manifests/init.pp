# A two-tier application: one database, any number of web nodes consuming it.
application lamp (
  String $db_user,
  String $db_password,
  Integer $web_count = 1,
) {
  lamp::db { $name:
    db_user     => $db_user,
    db_password => $db_password,
    export      => Sql[$name],
  }

  Integer[1, $web_count].each |$i| {
    lamp::web { "${name}-${i}":
      consume => Sql[$name],
      export  => Http["${name}-${i}"],
    }
  }
}
