if $facts { warning('has facts') } else { warning('no facts') }
site {
  m { 'x': nodes => { Node['n1'] => [M::C['x'], M::D['x']] } }
}
