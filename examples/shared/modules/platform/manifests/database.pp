# The shared database server.
define platform::database (
  Integer $port = 5432,
) {
  notify { "shared database ${name} on ${port}": }
}

Platform::Database produces Sql {
  host => "${name}.db.internal",
}
