$x = Numeric[1]
site { }
