application one() {
  m::cons { $name:
    host    => 'h',
    consume => Cap['nobody'],
  }
}
site {
  one { 'a': nodes => { Node['n2'] => M::Cons['a'] } }
}
