$x = Float[1, 2, 3]
site { }
