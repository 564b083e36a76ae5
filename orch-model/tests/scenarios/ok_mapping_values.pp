define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
define db($port = 6000, $host = 'dbhost') { }
define webc($dbhost = undef, $dbport = undef) { }
Db produces Cap { port => $port + 1 }
Webc consumes Cap { dbhost => $host, dbport => $port }
application m1 {
  db { $name: export => Cap[$name] }
  webc { $name: consume => Cap[$name] }
}
site { m1 { 'prod': nodes => { Node['db1'] => Db['prod'], Node['web1'] => Webc['prod'] } } }
