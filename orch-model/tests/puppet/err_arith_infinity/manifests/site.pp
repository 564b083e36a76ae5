$x = 1.0 / 0
site { }
