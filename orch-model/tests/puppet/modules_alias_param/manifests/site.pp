define m::d(N::Port $p = 3) {}
site { m { "x": nodes => { Node["n1"] => M::C["x"] } } }
