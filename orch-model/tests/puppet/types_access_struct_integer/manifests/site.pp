$x = Struct[1]
site { }
