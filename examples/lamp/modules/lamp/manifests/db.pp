# The database tier: a MySQL database for the application.
define lamp::db (
  String $db_user,
  String $db_password,
  String $host = $facts['networking']['fqdn'],
  Integer $port = 3306,
  String $database = $name,
) {
  notify { "database ${database} for ${db_user} on ${host}:${port}": }
}

Lamp::Db produces Sql {
  user     => $db_user,
  password => $db_password,
  host     => $host,
  port     => $port,
  database => $database,
}
