
site { m { "x": nodes => { Node["n1"] => M::C["x"] } } }
