$x = Default[1]
site { }
