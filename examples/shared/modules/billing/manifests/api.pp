# The billing API: needs a database.
define billing::api (
  String  $host,
  Integer $port,
) {
  notify { "billing api using ${host}:${port}": }
}

Billing::Api consumes Sql { }
