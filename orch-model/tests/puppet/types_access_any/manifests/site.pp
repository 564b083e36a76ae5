$x = Any[1]
site { }
