$x = Integer[1, 2, 3]
site { }
