define m::c($host = $facts['hostname']) { }
M::C produces Cap {
  host => $unknown_in_mapping,
}
