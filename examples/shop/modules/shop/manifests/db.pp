# The database tier.
define shop::db (
  String  $database = 'shop',
  String  $user     = 'shop',
  Integer $port     = 5432,
) {
  notify { "postgresql database ${database} on port ${port}": }
}

Shop::Db produces Dbconn {
  host => "db-${name}.internal",
}
