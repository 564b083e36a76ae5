define m::c() { }
M::C produces Cap { }
