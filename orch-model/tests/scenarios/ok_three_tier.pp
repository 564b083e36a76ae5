define prod($host = "h", $port = 1) { }
define cons($host = undef, $port = undef) { }
Prod produces Cap { }
Cons consumes Cap { }
define web($host = undef, $port = undef) { }
define lb($members = []) { }
Web consumes Cap { }
Web produces Http { }
Lb consumes Http { }
application stack {
  prod { $name: export => Cap[$name] }
  web { $name: consume => Cap[$name], export => Http[$name] }
  lb { $name: consume => Http[$name] }
}
site {
  stack { 'prod':
    nodes => {
      Node['db1'] => Prod['prod'],
      Node['web1'] => Web['prod'],
      Node['lb1'] => Lb['prod'],
    },
  }
}
