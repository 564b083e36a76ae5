define m::d($host = undef) { }
M::D consumes Cap {
  host => $also_unknown,
}
