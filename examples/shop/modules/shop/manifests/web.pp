# One node of the web farm: reads the database connection, serves HTTP.
define shop::web (
  String  $db_host,
  Integer $db_port,
  String  $db_name,
  Integer $http_port = 8080,
) {
  notify { "shop frontend on ${http_port}, database ${db_name} at ${db_host}:${db_port}": }
}

Shop::Web consumes Dbconn {
  db_host => $host,
  db_port => $port,
  db_name => $database,
}

Shop::Web produces Http {
  host => $name,
  port => $http_port,
}
