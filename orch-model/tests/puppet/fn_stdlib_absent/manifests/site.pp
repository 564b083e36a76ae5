$titles = range(1, 2)
site { m { 'a': on => $titles, nodes => { Node['n'] => M::Prod['a-0'] } } }
