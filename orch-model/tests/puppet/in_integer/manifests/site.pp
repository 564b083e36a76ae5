$x = 1 in 2
site { }
