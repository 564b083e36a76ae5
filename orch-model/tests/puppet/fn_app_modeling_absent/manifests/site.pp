$nodes = { Node['n'] => M::Prod['a-0'] }
$t = collect_component_titles($nodes, M::Prod)
site { m { 'a': on => $t, nodes => $nodes } }
