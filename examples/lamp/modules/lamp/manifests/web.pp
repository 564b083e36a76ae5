# The web tier: PHP served by Apache, reading its database settings from the Sql capability.
define lamp::web (
  String $db_host,
  Integer $db_port,
  String $db_name,
  String $db_user,
  String $db_password,
  Integer $http_port = 80,
) {
  $index = @("INDEXPHP"/$)
    <?php
    \$link = mysqli_connect('${db_host}', '${db_user}', '${db_password}', '${db_name}', ${db_port});
    echo \$link ? 'connected' : 'no database';
    | INDEXPHP
  notify { "web tier on port ${http_port}": message => $index }
}

Lamp::Web consumes Sql {
  db_host     => $host,
  db_port     => $port,
  db_name     => $database,
  db_user     => $user,
  db_password => $password,
}

Lamp::Web produces Http {
  host => $facts['networking']['fqdn'],
  port => $http_port,
}
