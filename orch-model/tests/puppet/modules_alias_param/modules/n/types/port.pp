type N::Port = Integer[1, 10]
