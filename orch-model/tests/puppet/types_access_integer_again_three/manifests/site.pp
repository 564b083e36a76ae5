$x = Integer[1][2, 3, 4]
site { }
