$x = 1[0]
site { }
