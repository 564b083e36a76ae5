Db::Server produces Sql { password => $password, host => $host }
Db::Client consumes Sql { password => $password }
application stack(Sensitive $pw = lookup('db::password')) {
  db::server { $name: password => $pw, export => Sql[$name] }
  db::client { $name: consume => Sql[$name] }
}
$direct = Sensitive('S3cr3tBytes42')
notice("direct is ${direct}, looked up is ${lookup('db::password')}")
site {
  stack { 'prod': nodes => { Node['db.example'] => Db::Server['prod'], Node['app.example'] => Db::Client['prod'] } }
}
